package io.qbridge.api.anthropic;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerShaper;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The Anthropic streaming path without HTTP: an {@link AnswerShaper} into a {@link ClaudeStreamEncoder}
 * whose SSE bytes are parsed back into (event name, data) pairs for assertions.
 */
final class ClaudeStreamProbe {

  private final AnswerShaper shaper;
  private final ClaudeStreamEncoder encoder;

  ClaudeStreamProbe(String messageId, String model, int inputTokens, TokenCounter tokens, BiConsumer<String, JsonObject> sink) {
    this(messageId, model, inputTokens, tokens, false, ToolNames.none(), 0, List.of(), sink);
  }

  ClaudeStreamProbe(String messageId, String model, int inputTokens, TokenCounter tokens, boolean thinking,
                    ToolNames toolNames, int maxTokens, List<String> stopSequences, BiConsumer<String, JsonObject> sink) {
    this.encoder = new ClaudeStreamEncoder(messageId, model, inputTokens, buffer -> parse(buffer.toString(), sink));
    this.shaper = new AnswerShaper(new AnswerPolicy(inputTokens, tokens, thinking, maxTokens, stopSequences, toolNames), encoder);
  }

  private static void parse(String frames, BiConsumer<String, JsonObject> sink) {
    for (String frame : frames.split("\n\n")) {
      if (frame.isEmpty()) continue;
      String[] lines = frame.split("\n");
      if (lines.length != 2 || !lines[0].startsWith("event: ") || !lines[1].startsWith("data: ")) {
        throw new AssertionError("not an SSE event frame: " + frame);
      }
      sink.accept(lines[0].substring(7), new JsonObject(lines[1].substring(6)));
    }
  }

  void start() { encoder.start(); }

  void ping() { encoder.keepAlive(); }

  void onEvent(QEvent event) { shaper.onEvent(event); }

  void finish() { shaper.finish(); }

  void fail(UpstreamError error) { encoder.fail(error); }

  boolean finishedLocally() { return shaper.finishedLocally(); }
}
