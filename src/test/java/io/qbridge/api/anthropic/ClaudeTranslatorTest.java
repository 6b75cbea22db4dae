package io.qbridge.api.anthropic;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerShaper;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClaudeTranslatorTest {

  private final List<String> names = new ArrayList<>();
  private final List<JsonObject> data = new ArrayList<>();
  private final ClaudeStreamProbe t = new ClaudeStreamProbe("msg_1", "claude-sonnet-4-5-20250929", 12, new TokenCounter(1.0),
      (n, d) -> { names.add(n); data.add(d); });

  /** Protocol doc §12.3: text, then one tool call in fragments, EOF. */
  @Test
  void protocolDocExampleSequence() {
    t.start();
    t.onEvent(new QEvent.InitialResponse("C"));
    t.onEvent(new QEvent.Text("Checking."));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", null, false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", "{\"city\":", false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", "\"Paris\"}", false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", null, true));
    t.finish();
    assertThat(names).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
        "content_block_stop", "content_block_start", "content_block_delta", "content_block_delta",
        "content_block_stop", "message_delta", "message_stop");
    JsonObject start = data.get(0).getJsonObject("message");
    assertThat(start.getString("id")).isEqualTo("msg_1");
    assertThat(start.getString("model")).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(start.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(12);
    assertThat(data.get(5).getJsonObject("content_block")).isEqualTo(new JsonObject(
        "{\"type\":\"tool_use\",\"id\":\"T\",\"name\":\"get_weather\",\"input\":{}}"));
    assertThat(data.get(5).getInteger("index")).isEqualTo(1);
    assertThat(data.get(6).getJsonObject("delta")).isEqualTo(new JsonObject(
        "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\":\"}"));
    JsonObject delta = data.get(9);
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
    assertThat(delta.getJsonObject("usage").getInteger("output_tokens")).isPositive();
  }

  @Test
  void textOnlyEndsWithEndTurnAndDuplicateToolEventsAreIgnored() {
    t.start();
    t.onEvent(new QEvent.Text("Hi"));
    t.onEvent(new QEvent.Text(""));
    t.onEvent(new QEvent.Text(" there"));
    t.finish();
    assertThat(names).containsExactly("message_start", "ping", "content_block_start", "content_block_delta",
        "content_block_delta", "content_block_stop", "message_delta", "message_stop");
    assertThat(data.get(6).getJsonObject("delta").getString("stop_reason")).isEqualTo("end_turn");

    names.clear();
    ClaudeStreamProbe t2 = new ClaudeStreamProbe("m", "x", 0, new TokenCounter(1), (n, d) -> names.add(n));
    t2.onEvent(new QEvent.ToolUse("A", "f", "{}", true));
    t2.onEvent(new QEvent.ToolUse("A", "f", null, false));   // duplicate start after stop
    t2.onEvent(new QEvent.ToolUse("A", "f", null, true));
    assertThat(names).containsExactly("content_block_start", "content_block_delta", "content_block_stop");
  }

  @Test
  void nonStreamingMessageMatchesTheStream() {
    ClaudeMessageAccumulator acc = new ClaudeMessageAccumulator("msg_2", "m");
    AnswerShaper a = new AnswerShaper(new AnswerPolicy(3, new TokenCounter(1), false, 0, List.of(), ToolNames.none()), acc);
    a.onEvent(new QEvent.Text("Checking."));
    a.onEvent(new QEvent.ToolUse("T", "get_weather", "{\"city\":", false));
    a.onEvent(new QEvent.ToolUse("T", "get_weather", "\"Paris\"}", true));
    a.onEvent(new QEvent.ToolUse("U", "broken", "{\"a\":", true));
    a.finish();
    JsonObject m = acc.body();
    assertThat(m.getString("id")).isEqualTo("msg_2");
    assertThat(m.getString("stop_reason")).isEqualTo("tool_use");
    assertThat(m.getJsonArray("content").getJsonObject(0)).isEqualTo(new JsonObject("{\"type\":\"text\",\"text\":\"Checking.\"}"));
    assertThat(m.getJsonArray("content").getJsonObject(1).getJsonObject("input")).isEqualTo(new JsonObject("{\"city\":\"Paris\"}"));
    assertThat(m.getJsonArray("content").getJsonObject(2).getJsonObject("input").getString("error")).isEqualTo("invalid json");
    assertThat(m.getJsonObject("usage").getInteger("input_tokens")).isEqualTo(3);
  }

  @Test
  void inStreamErrorClosesTheOpenBlockThenReportsAnError() {
    t.start();
    t.onEvent(new QEvent.Text("partial"));
    t.fail(UpstreamError.of(UpstreamError.Kind.THROTTLED, "x"));
    assertThat(names.subList(names.size() - 2, names.size())).containsExactly("content_block_stop", "error");
    assertThat(data.get(data.size() - 1).getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
  }

  private ClaudeStreamProbe limited(int maxTokens, List<String> stops) {
    names.clear();
    data.clear();
    return new ClaudeStreamProbe("m", "x", 0, new TokenCounter(1.0), false, ToolNames.none(),
        maxTokens, stops, (n, d) -> { names.add(n); data.add(d); });
  }

  private String text() {
    StringBuilder sb = new StringBuilder();
    for (JsonObject d : data) {
      JsonObject delta = d.getJsonObject("delta");
      if (delta != null && "text_delta".equals(delta.getString("type"))) sb.append(delta.getString("text"));
    }
    return sb.toString();
  }

  private JsonObject messageDelta() {
    return data.get(names.indexOf("message_delta"));
  }

  @Test
  void stopSequenceSplitAcrossFragmentsEndsTheAnswer() {
    ClaudeStreamProbe t = limited(0, List.of("END"));
    t.onEvent(new QEvent.Text("Hello E"));
    assertThat(t.finishedLocally()).isFalse();
    t.onEvent(new QEvent.Text("N"));
    t.onEvent(new QEvent.Text("D and more"));
    assertThat(t.finishedLocally()).isTrue();
    t.onEvent(new QEvent.Text("ignored"));
    t.finish();
    assertThat(text()).isEqualTo("Hello ");
    assertThat(messageDelta().getJsonObject("delta").getString("stop_reason")).isEqualTo("stop_sequence");
    assertThat(messageDelta().getJsonObject("delta").getString("stop_sequence")).isEqualTo("END");
  }

  @Test
  void heldBackPartialMatchIsReleasedBeforeAToolCallAndAtTheEnd() {
    ClaudeStreamProbe t = limited(0, List.of("STOP"));
    t.onEvent(new QEvent.Text("call ST"));
    t.onEvent(new QEvent.ToolUse("T", "f", "{}", true));
    t.onEvent(new QEvent.Text(" then S"));
    t.finish();
    assertThat(text()).isEqualTo("call ST then S");
    assertThat(messageDelta().getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");
    assertThat(messageDelta().getJsonObject("delta").getValue("stop_sequence")).isNull();
  }

  @Test
  void maxTokensCutsTheAnswerExactly() {
    ClaudeStreamProbe t = limited(5, List.of());
    for (int i = 0; i < 20; i++) {
      t.onEvent(new QEvent.Text("word" + i + " "));
      if (t.finishedLocally()) break;
    }
    assertThat(t.finishedLocally()).isTrue();
    t.finish();
    assertThat(TokenCounter.raw(text())).isBetween(4, 5);
    assertThat(messageDelta().getJsonObject("delta").getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(messageDelta().getJsonObject("usage").getInteger("output_tokens")).isBetween(4, 5);
  }
}
