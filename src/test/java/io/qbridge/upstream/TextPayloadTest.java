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

  /**
   * Seeded property: contents of every kind of character (printable ASCII, quotes, backslashes,
   * controls, non-ASCII, lone and paired surrogates), encoded as Amazon Q does, then some mangled
   * (bytes dropped, inserted or flipped, escapes made odd): the fast path and the parser together
   * answer as the tree for each; the fast path takes the plain ASCII ones itself.
   */
  @Test
  void fastPathAnswersAsTheTreeForRandomAndMangledPayloads() {
    long seed = Long.getLong("qbridge.seed", 8);
    java.util.Random random = new java.util.Random(seed);
    String alphabet = "abcXYZ 019{}[]:,\"\\/\n\r\t\b\f\u0001\u001f\u007f\u00e9\u4e16\ud83d\ude00\ud800";
    int fast = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder content = new StringBuilder();
      boolean ascii = random.nextBoolean();
      for (int k = random.nextInt(40); k > 0; k--) {
        content.append(ascii ? (char) (0x20 + random.nextInt(0x5f)) : alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String payload = new JsonObject().put("content", content.toString()).encode();
      if (random.nextInt(4) == 0) payload = mangle(payload, random);
      assertThat(TextPayload.content(Buffer.buffer(payload))).as("seed %d payload %s", seed, payload).isEqualTo(viaTree(payload));
      if (TextPayload.plainContent(Buffer.buffer(payload)) != null) fast++;
      if (ascii && payload.equals(new JsonObject().put("content", content.toString()).encode())) {
        assertThat(TextPayload.plainContent(Buffer.buffer(payload))).as("the fast path reads %s", payload).isEqualTo(content.toString());
      }
    }
    assertThat(fast).as("payloads read by the fast path").isGreaterThan(5_000);
  }

  private static String mangle(String payload, java.util.Random random) {
    StringBuilder b = new StringBuilder(payload);
    int at = random.nextInt(b.length());
    switch (random.nextInt(5)) {
      case 0 -> b.deleteCharAt(at);
      case 1 -> b.insert(at, "\"\\\u0000 }x".charAt(random.nextInt(6)));
      case 2 -> b.setCharAt(at, (char) random.nextInt(128));
      case 3 -> b.insert(at, "\\u12");
      default -> b.insert(at, "\\q");
    }
    return b.toString();
  }

  @Test
  void aTextEventBecomesTextAndAnUnreadableOneAStreamException() {
    assertThat(TextPayload.content(Buffer.buffer("{\"content\":\"token0 \"}"))).isEqualTo("token0 ");
    assertThat(TextPayload.content(Buffer.buffer("{\"content\":"))).isNull();
  }
}
