package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The streaming read of a text event answers exactly as the tree it replaced. */
class TextPayloadTest {

  /** What {@code new JsonObject(payload).getValue("content")} made of it: null for malformed. */
  private static String viaTree(String payload) {
    if (payload.isEmpty()) return "";
    try {
      Object c = new JsonObject(Buffer.buffer(payload)).getValue("content");
      return c instanceof String s ? s : "";
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  @Test
  void sameAnswerAsTheTreeForEveryShape() {
    List<String> payloads = List.of(
        "", "{}", "{\"content\":\"hello\"}", "{\"content\":\"\"}", "{\"content\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\"}",
        "{\"content\":\"h\u00e9llo \u4e16\u754c\"}", "{\"other\":1,\"content\":\"x\",\"more\":{\"a\":[1,2,{\"b\":null}]}}",
        "{\"content\":{\"nested\":\"x\"}}", "{\"content\":[\"x\"]}", "{\"content\":42}", "{\"content\":null}",
        "{\"content\":true}", "{\"content\":\"first\",\"content\":\"last\"}", "{\"content\":\"x\",\"content\":3}",
        "  {\"content\" : \"spaced\"}  ", "[]", "\"text\"", "42", "null", "{", "{\"content\":\"x\"", "{\"content\":\"x\"}}",
        "{\"content\":\"x\"} {\"content\":\"y\"}", "{\"content\":\"x\"} trailing", "{content:\"x\"}", "not json", "{\"content\":\"\\x\"}");
    for (String p : payloads) {
      assertThat(TextPayload.content(Buffer.buffer(p))).as(p).isEqualTo(viaTree(p));
    }
  }

  @Test
  void aTextEventBecomesTextAndAnUnreadableOneAStreamException() {
    assertThat(TextPayload.content(Buffer.buffer("{\"content\":\"token0 \"}"))).isEqualTo("token0 ");
    assertThat(TextPayload.content(Buffer.buffer("{\"content\":"))).isNull();
  }
}
