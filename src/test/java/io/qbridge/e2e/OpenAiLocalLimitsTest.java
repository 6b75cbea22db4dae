package io.qbridge.e2e;

import static io.qbridge.e2e.OpenAiChatCompletionsTest.MODEL;
import static io.qbridge.e2e.OpenAiChatCompletionsTest.body;
import static io.qbridge.e2e.OpenAiChatCompletionsTest.chunks;
import static io.qbridge.e2e.OpenAiChatCompletionsTest.delta;
import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.qbridge.convert.TokenCounter;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code stop} and {@code max_tokens}, which Amazon Q ignores, are applied by qbridge: output ends
 * at the first stop sequence (even split across fragments) or at the token limit, and the upstream
 * stream is cancelled there instead of being read to the end.
 */
class OpenAiLocalLimitsTest extends OpenAiGatewayTest {

  @Test
  void stopSequenceSplitAcrossFragmentsEndsTheAnswerAndCancelsTheUpstream() throws Exception {
    // "END" arrives as "E" + "N" + "D"; the text after it, and an endless tail, must never be read
    gw.emulator.enqueue(Scenario.builder().text("The answer is 4.", " E", "N", "D of answer", " ignored").endless(40).build());
    Future<Void> cancelled = gw.emulator.nextStreamClosedByPeer();
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
        .model(MODEL).addUserMessage("2+2?").stopOfStrings(List.of("STOP", "END")).build())) {
      s.stream().forEach(acc::accumulate);
    }
    ChatCompletion c = acc.chatCompletion();
    assertThat(c.choices().get(0).message().content()).contains("The answer is 4. ");
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    cancelled.await(5, TimeUnit.SECONDS);

    // non-streaming, a single stop string: same cut
    gw.emulator.enqueue(Scenario.text("a, b, c", ", STO", "P, d"));
    ChatCompletion plain = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(MODEL).addUserMessage("list").stop("STOP").build());
    assertThat(plain.choices().get(0).message().content()).contains("a, b, c, ");
    assertThat(plain.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
  }

  @Test
  void aPartialStopMatchThatDoesNotCompleteIsReleased() {
    gw.emulator.enqueue(Scenario.text("ST", "OCK market"));
    JsonObject b = body(true, "x").put("stop", "STOP");
    List<JsonObject> wire = chunks(gw.postJson("/v1/chat/completions", b));
    String content = wire.stream().map(ch -> delta(ch).getString("content", "")).collect(Collectors.joining());
    assertThat(content).isEqualTo("STOCK market");
    // the held-back "ST" travels with the fragment that decided it
    assertThat(wire).extracting(ch -> delta(ch).getString("content")).containsSubsequence("", "STOCK market");
  }

  @Test
  void maxTokensEndsTheAnswerAtTheLimitAndCancelsTheUpstream() throws Exception {
    gw.emulator.enqueue(Scenario.endless(37));
    Future<Void> cancelled = gw.emulator.nextStreamClosedByPeer();
    ChatCompletion c = sdk.chat().completions().create(ChatCompletionCreateParams.builder()
        .model(MODEL).addUserMessage("write forever").maxTokens(25).build());
    String content = c.choices().get(0).message().content().orElseThrow();
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(TokenCounter.raw(content)).isEqualTo(25);
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(25);
    cancelled.await(5, TimeUnit.SECONDS);

    // streaming with max_completion_tokens and include_usage: length, and usage says the limit
    gw.emulator.enqueue(Scenario.endless(11));
    Future<Void> cancelledAgain = gw.emulator.nextStreamClosedByPeer();
    JsonObject b = body(true, "write forever").put("max_completion_tokens", 7)
        .put("stream_options", new JsonObject().put("include_usage", true));
    List<JsonObject> wire = chunks(gw.postJson("/v1/chat/completions", b));
    String streamed = wire.stream().filter(ch -> !ch.getJsonArray("choices").isEmpty())
        .map(ch -> delta(ch).getString("content", "")).collect(Collectors.joining());
    assertThat(TokenCounter.raw(streamed)).isEqualTo(7);
    assertThat(wire.get(wire.size() - 2).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("length");
    assertThat(wire.get(wire.size() - 1).getJsonObject("usage").getInteger("completion_tokens")).isEqualTo(7);
    cancelledAgain.await(5, TimeUnit.SECONDS);
  }

  @Test
  void maxTokensAlsoCutsToolArguments() {
    gw.emulator.enqueue(Scenario.toolUse("T", "write_file", "{\"path\":\"a.txt\",\"content\":\"", "lorem ipsum dolor sit amet ".repeat(20), "\"}"));
    JsonObject b = body(false, "write").put("max_tokens", 12)
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("function", new JsonObject().put("name", "write_file"))));
    JsonObject choice = gw.postJson("/v1/chat/completions", b).json().getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getString("finish_reason")).isEqualTo("length");
    String args = choice.getJsonObject("message").getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("arguments");
    assertThat(TokenCounter.raw(args)).isEqualTo(12);
    assertThat(args).startsWith("{\"path\":\"a.txt\"");
  }

  @Test
  void anAnswerThatEndsBeforeTheLimitIsNotCut() {
    gw.emulator.enqueue(Scenario.text("short answer"));
    JsonObject response = gw.postJson("/v1/chat/completions", body(false, "x").put("max_tokens", 1000).put("stop", new JsonArray().add("zzz"))).json();
    JsonObject choice = response.getJsonArray("choices").getJsonObject(0);
    assertThat(choice.getJsonObject("message").getString("content")).isEqualTo("short answer");
    assertThat(choice.getString("finish_reason")).isEqualTo("stop");
    assertThat(gw.emulator.streamsClosedByPeer()).isZero();
  }
}
