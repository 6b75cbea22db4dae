package io.qbridge.api.openai;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerShaper;
import io.qbridge.answer.AnswerSink;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Consumer;

/**
 * The Chat Completions streaming path without HTTP: an {@link AnswerShaper} into a
 * {@link ChatCompletionChunkEncoder} whose {@code data:} chunks are parsed back into objects
 * ({@code [DONE]} is checked and dropped).
 */
final class ChatChunkProbe {

  private final AnswerShaper shaper;

  ChatChunkProbe(ChatCompletionChunkEncoder.Header header, int promptTokens, boolean includeUsage, boolean reasoning,
                 List<String> stop, int maxTokens, TokenCounter tokens, ToolNames toolNames, Consumer<JsonObject> sink) {
    AnswerSink encoder = new ChatCompletionChunkEncoder(header, includeUsage, buffer -> parse(buffer.toString(), sink));
    this.shaper = new AnswerShaper(new AnswerPolicy(promptTokens, tokens, reasoning, maxTokens, stop, toolNames), encoder);
  }

  /** The non-streaming path: the same shaper into an accumulator. */
  ChatChunkProbe(int promptTokens, boolean reasoning, TokenCounter tokens, ChatCompletionAccumulator accumulator) {
    this.shaper = new AnswerShaper(new AnswerPolicy(promptTokens, tokens, reasoning, 0, List.of(), ToolNames.none()), accumulator);
  }

  private static void parse(String frames, Consumer<JsonObject> sink) {
    for (String frame : frames.split("\n\n")) {
      if (frame.isEmpty()) continue;
      if (!frame.startsWith("data: ")) throw new AssertionError("not an SSE data frame: " + frame);
      String payload = frame.substring(6);
      if (!payload.equals(ChatCompletionChunkEncoder.DONE)) sink.accept(new JsonObject(payload));
    }
  }

  void onEvent(QEvent event) { shaper.onEvent(event); }

  void finish() { shaper.finish(); }

  void markTruncated() { shaper.markTruncated(); }

  boolean finishedLocally() { return shaper.finishedLocally(); }
}
