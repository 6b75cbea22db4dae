package io.qbridge.api.anthropic;

import io.qbridge.answer.StreamEncoder;
import io.qbridge.answer.Stop;
import io.qbridge.answer.Usage;
import io.qbridge.relay.Sse;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The Anthropic Messages streaming event sequence (protocol doc §8.1): {@code message_start},
 * {@code ping}, content blocks (thinking, text, tool_use) with their deltas, {@code message_delta}
 * with stop reason and usage, {@code message_stop}. A thinking block closes with a
 * {@code signature_delta}. Not thread-safe; one per request.
 */
final class ClaudeStreamEncoder implements StreamEncoder {

  private enum Block { NONE, TEXT, THINKING, TOOL }

  private final String messageId;
  private final String model;
  private final int inputTokens;
  private final Consumer<Buffer> out;

  private int index = -1;
  private Block open = Block.NONE;
  private final StringBuilder thinkingText = new StringBuilder();

  ClaudeStreamEncoder(String messageId, String model, int inputTokens, Consumer<Buffer> out) {
    this.messageId = messageId;
    this.model = model;
    this.inputTokens = inputTokens;
    this.out = out;
  }

  @Override public void start() {
    JsonObject message = new JsonObject()
        .put("id", messageId).put("type", "message").put("role", "assistant")
        .put("content", new JsonArray()).put("model", model)
        .putNull("stop_reason").putNull("stop_sequence")
        .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 0));
    event("message_start", new JsonObject().put("type", "message_start").put("message", message));
    keepAlive();
  }

  @Override public void keepAlive() {
    event("ping", new JsonObject().put("type", "ping"));
  }

  @Override public void text(String delta) {
    openIfNot(Block.TEXT);
    delta(new JsonObject().put("type", "text_delta").put("text", delta));
  }

  @Override public void thinking(String delta) {
    openIfNot(Block.THINKING);
    thinkingText.append(delta);
    delta(new JsonObject().put("type", "thinking_delta").put("thinking", delta));
  }

  @Override public void toolStart(String id, String name) {
    closeBlock();
    openBlock(Block.TOOL, new JsonObject().put("type", "tool_use").put("id", id).put("name", name).put("input", new JsonObject()));
  }

  @Override public void toolArguments(String delta) {
    delta(new JsonObject().put("type", "input_json_delta").put("partial_json", delta));
  }

  @Override public void toolEnd() {
    closeBlock();
  }

  @Override public void stop(Stop stop, Usage usage) {
    closeBlock();
    event("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason(stop)).put("stop_sequence", stop.sequence()))
        .put("usage", new JsonObject().put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens())));
    event("message_stop", new JsonObject().put("type", "message_stop"));
  }

  /** In-stream failure after the response started: an Anthropic {@code error} event. */
  @Override public void fail(UpstreamError error) {
    closeBlock();
    event("error", new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", error.type().anthropic()).put("message", error.getMessage())));
  }

  static String stopReason(Stop stop) {
    return switch (stop.reason()) {
      case END_TURN -> "end_turn";
      case MAX_TOKENS -> "max_tokens";
      case STOP_SEQUENCE -> "stop_sequence";
      case TOOL_USE -> "tool_use";
    };
  }

  private void openIfNot(Block kind) {
    if (open == kind) return;
    closeBlock();
    openBlock(kind, kind == Block.THINKING ? new JsonObject().put("type", "thinking").put("thinking", "")
        : new JsonObject().put("type", "text").put("text", ""));
  }

  private void openBlock(Block kind, JsonObject contentBlock) {
    index++;
    open = kind;
    event("content_block_start", new JsonObject().put("type", "content_block_start")
        .put("index", index).put("content_block", contentBlock));
  }

  private void delta(JsonObject delta) {
    event("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index).put("delta", delta));
  }

  private void closeBlock() {
    if (open == Block.NONE) return;
    if (open == Block.THINKING) {
      // clients replay thinking blocks with their signature; ours only has to be stable and opaque
      delta(new JsonObject().put("type", "signature_delta").put("signature", ThinkingSignature.of(thinkingText)));
      thinkingText.setLength(0);
    }
    event("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", index));
    open = Block.NONE;
  }

  private void event(String name, JsonObject data) {
    out.accept(Sse.event(name, data));
  }
}
