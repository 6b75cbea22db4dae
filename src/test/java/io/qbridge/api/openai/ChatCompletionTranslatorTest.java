package io.qbridge.api.openai;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChatCompletionTranslatorTest {

  static final ChatCompletionChunkEncoder.Header HEADER = new ChatCompletionChunkEncoder.Header("chatcmpl-1", 1_700_000_000L, "gpt-4o");
  static final TokenCounter TOKENS = new TokenCounter(1.0);

  final List<JsonObject> chunks = new ArrayList<>();

  ChatChunkProbe translator(boolean includeUsage, boolean reasoning, List<String> stop, int maxTokens) {
    return new ChatChunkProbe(HEADER, 12, includeUsage, reasoning, stop, maxTokens, TOKENS, ToolNames.none(), chunks::add);
  }

  ChatChunkProbe plain() {
    return translator(false, false, List.of(), 0);
  }

  List<String> deltas() {
    return chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").encode()).toList();
  }

  String finishReason() {
    return chunks.stream().filter(c -> !c.getJsonArray("choices").isEmpty())
        .map(c -> c.getJsonArray("choices").getJsonObject(0).getString("finish_reason")).filter(r -> r != null)
        .reduce((a, b) -> b).orElse(null);
  }

  String content() {
    StringBuilder sb = new StringBuilder();
    for (JsonObject c : chunks) {
      if (c.getJsonArray("choices").isEmpty()) continue;
      Object v = c.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getValue("content");
      if (v instanceof String s) sb.append(s);
    }
    return sb.toString();
  }

  @Test
  void textThenToolCallLikeOpenAi() {
    ChatChunkProbe t = plain();
    t.onEvent(new QEvent.InitialResponse("C"));
    t.onEvent(new QEvent.Text("Checking."));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", null, false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", "{\"city\":", false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", "\"Paris\"}", false));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", null, true));
    t.onEvent(new QEvent.ToolUse("T", "get_weather", "{}", false)); // duplicate after stop: ignored
    t.finish();
    assertThat(deltas()).containsExactly(
        "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}",
        "{\"content\":\"Checking.\"}",
        "{\"tool_calls\":[{\"index\":0,\"id\":\"T\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}",
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\"}}]}",
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"Paris\\\"}\"}}]}",
        "{}");
    assertThat(finishReason()).isEqualTo("tool_calls");
    JsonObject first = chunks.get(0);
    assertThat(first.getString("id")).isEqualTo("chatcmpl-1");
    assertThat(first.getString("object")).isEqualTo("chat.completion.chunk");
    assertThat(first.getLong("created")).isEqualTo(1_700_000_000L);
    assertThat(first.getString("model")).isEqualTo("gpt-4o");
    assertThat(first.getJsonArray("choices").getJsonObject(0).fieldNames()).containsExactly("index", "delta", "logprobs", "finish_reason");
    assertThat(chunks).allSatisfy(c -> assertThat(c.containsKey("usage")).isFalse());
  }

  @Test
  void toolCallFirstCarriesTheRoleAndParallelCallsCountUp() {
    ChatChunkProbe t = plain();
    t.onEvent(new QEvent.ToolUse("A", "f", "{}", false));  // a fragment without a separate start
    t.onEvent(new QEvent.ToolUse("A", "f", null, true));
    t.onEvent(new QEvent.ToolUse("B", "g", null, false));
    t.onEvent(new QEvent.ToolUse("B", "g", null, true));
    t.finish();
    assertThat(deltas().get(0)).isEqualTo("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"A\","
        + "\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}],\"refusal\":null}");
    assertThat(deltas().get(2)).contains("\"index\":1,\"id\":\"B\"");
    assertThat(finishReason()).isEqualTo("tool_calls");
  }

  @Test
  void usageChunkOnlyWhenRequestedAndContextUsageRefinesPromptTokens() {
    ChatChunkProbe t = translator(true, false, List.of(), 0);
    t.onEvent(new QEvent.Text("Hello world"));
    t.onEvent(new QEvent.ContextUsage(10.0));
    t.finish();
    JsonObject last = chunks.get(chunks.size() - 1);
    assertThat(last.getJsonArray("choices")).isEmpty();
    assertThat(last.getJsonObject("usage")).isEqualTo(new JsonObject("""
        {"prompt_tokens":20000,"completion_tokens":2,"total_tokens":20002,
         "prompt_tokens_details":{"cached_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}"""));
    assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c -> {
      assertThat(c.containsKey("usage")).isTrue();
      assertThat(c.getValue("usage")).isNull();
    });
  }

  @Test
  void reasoningGoesToReasoningContentOnly() {
    ChatChunkProbe t = translator(true, true, List.of(), 0);
    t.onEvent(new QEvent.Text("<thin"));
    t.onEvent(new QEvent.Text("king>\nLet me think."));
    t.onEvent(new QEvent.Text("</thinking>\n\nAnswer."));
    t.finish();
    assertThat(deltas()).containsExactly("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}",
        "{\"reasoning_content\":\"Let me think.\"}", "{\"content\":\"Answer.\"}", "{}");
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getJsonObject("completion_tokens_details").getInteger("reasoning_tokens"))
        .isEqualTo(TokenCounter.raw("Let me think."));
  }

  @Test
  void emptyAnswerStillOpensWithTheRole() {
    ChatChunkProbe t = translator(false, false, List.of("X"), 0);
    t.onEvent(new QEvent.Text("X and more"));
    assertThat(t.finishedLocally()).isTrue();
    t.finish();
    assertThat(deltas()).containsExactly("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "{}");
    assertThat(finishReason()).isEqualTo("stop");
  }

  @Test
  void stopSequenceEndsContentAndLaterEventsAreIgnored() {
    ChatChunkProbe t = translator(false, false, List.of("</answer>"), 0);
    t.onEvent(new QEvent.Text("<answer>42</ans"));
    assertThat(t.finishedLocally()).isFalse();
    t.onEvent(new QEvent.Text("wer> trailing"));
    assertThat(t.finishedLocally()).isTrue();
    t.onEvent(new QEvent.Text("more"));
    t.onEvent(new QEvent.ToolUse("T", "f", "{}", true));
    t.finish();
    assertThat(content()).isEqualTo("<answer>42");
    assertThat(finishReason()).isEqualTo("stop");
    assertThat(deltas()).noneMatch(d -> d.contains("tool_calls"));
  }

  @Test
  void heldBackStopPrefixIsReleasedBeforeAToolCall() {
    ChatChunkProbe t = translator(false, false, List.of("STOP"), 0);
    t.onEvent(new QEvent.Text("I will ST"));
    t.onEvent(new QEvent.ToolUse("T", "f", "{}", true));
    t.finish();
    assertThat(content()).isEqualTo("I will ST");
    assertThat(deltas().indexOf("{\"content\":\"ST\"}")).isLessThan(deltas().size() - 2);
    assertThat(finishReason()).isEqualTo("tool_calls");
  }

  @Test
  void stopSequencesDoNotApplyToReasoning() {
    ChatChunkProbe t = translator(false, true, List.of("STOP"), 0);
    t.onEvent(new QEvent.Text("<thinking>I must not STOP here</thinking>the answer STOP tail"));
    t.finish();
    assertThat(deltas()).contains("{\"reasoning_content\":\"I must not STOP here\"}");
    assertThat(content()).isEqualTo("the answer ");
  }

  @Test
  void maxTokensCutsInsideAFragment() {
    ChatChunkProbe t = translator(true, false, List.of(), 3);
    t.onEvent(new QEvent.Text("one two three four five"));
    assertThat(t.finishedLocally()).isTrue();
    t.finish();
    assertThat(content()).isEqualTo("one two three");
    assertThat(finishReason()).isEqualTo("length");
    assertThat(chunks.get(chunks.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(3);
  }

  @Test
  void upstreamTruncationIsALengthFinish() {
    ChatChunkProbe t = plain();
    t.onEvent(new QEvent.Text("partial"));
    t.markTruncated();
    t.finish();
    assertThat(finishReason()).isEqualTo("length");
  }

  @Test
  void accumulatorRebuildsTheCompletion() {
    ChatCompletionAccumulator acc = new ChatCompletionAccumulator(HEADER);
    ChatChunkProbe t = new ChatChunkProbe(12, true, TOKENS, acc);
    t.onEvent(new QEvent.Text("<thinking>hm</thinking>"));
    t.onEvent(new QEvent.ToolUse("A", "f", "{\"x\":", false));
    t.onEvent(new QEvent.ToolUse("A", "f", "1}", true));
    t.onEvent(new QEvent.ToolUse("B", "g", null, true));
    t.finish();
    JsonObject c = acc.body();
    assertThat(c.getString("id")).isEqualTo("chatcmpl-1");
    assertThat(c.getString("object")).isEqualTo("chat.completion");
    assertThat(c.getString("model")).isEqualTo("gpt-4o");
    JsonObject choice = c.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("tool_calls");
    JsonObject message = choice.getJsonObject("message");
    assertThat(message.containsKey("content")).isTrue();
    assertThat(message.getValue("content")).isNull();
    assertThat(message.getString("reasoning_content")).isEqualTo("hm");
    assertThat(message.getJsonArray("tool_calls")).isEqualTo(new JsonArray("""
        [{"id":"A","type":"function","function":{"name":"f","arguments":"{\\"x\\":1}"}},
         {"id":"B","type":"function","function":{"name":"g","arguments":""}}]"""));
    assertThat(c.getJsonObject("usage").getInteger("prompt_tokens")).isEqualTo(12);
  }

  /** Property: however the upstream splits the text, the output is the text up to the first stop sequence. */
  @Test
  void stopSequencesHoldForRandomSplits() {
    long seed = 42;
    Random rnd = new Random(seed);
    String alphabet = "ab c\nEND";
    for (int run = 0; run < 2000; run++) {
      StringBuilder text = new StringBuilder();
      int len = rnd.nextInt(40);
      for (int i = 0; i < len; i++) text.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
      List<String> stops = List.of("END", "c\nc");
      chunks.clear();
      ChatChunkProbe t = translator(false, false, stops, 0);
      for (int i = 0; i < text.length(); ) {
        int n = 1 + rnd.nextInt(5);
        t.onEvent(new QEvent.Text(text.substring(i, Math.min(text.length(), i + n))));
        i += n;
      }
      t.finish();
      int cut = text.length();
      for (String s : stops) {
        int at = text.indexOf(s);
        if (at >= 0) cut = Math.min(cut, at);
      }
      assertThat(content()).as("seed %d run %d text %s", seed, run, text).isEqualTo(text.substring(0, cut));
      assertThat(finishReason()).isEqualTo("stop");
    }
  }
}
