package io.qbridge.api.anthropic;

import static io.qbridge.relay.SseFrame.bytes;

import io.qbridge.answer.StreamEncoder;
import io.qbridge.answer.Stop;
import io.qbridge.answer.Usage;
import io.qbridge.relay.Sse;
import io.qbridge.relay.SseFrame;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The Anthropic Messages streaming event sequence (protocol doc §8.1): {@code message_start},
 * {@code ping}, content blocks (thinking, text, tool_use) with their deltas, {@code message_delta}
 * with stop reason and usage, {@code message_stop}. A thinking block closes with a
 * {@code signature_delta}. Frames are written directly from pre-encoded parts (no JSON tree per
 * delta); field order is Anthropic's. Not thread-safe; one per request.
 */
final class ClaudeStreamEncoder implements StreamEncoder {

  private enum Block { NONE, TEXT, THINKING, TOOL }

  private static final byte[] PING = bytes("event: ping\ndata: {\"type\":\"ping\"}\n\n");
  private static final byte[] MESSAGE_STOP = bytes("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
  private static final byte[] MESSAGE_START = bytes("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":");
  private static final byte[] MESSAGE_START_MODEL = bytes(",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":");
  private static final byte[] MESSAGE_START_USAGE = bytes(",\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":");
  private static final byte[] MESSAGE_START_END = bytes(",\"output_tokens\":0}}}\n\n");
  private static final byte[] BLOCK_START = bytes("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":");
  private static final byte[] TEXT_BLOCK = bytes(",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");
  private static final byte[] THINKING_BLOCK = bytes(",\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}\n\n");
  private static final byte[] TOOL_BLOCK_ID = bytes(",\"content_block\":{\"type\":\"tool_use\",\"id\":");
  private static final byte[] TOOL_BLOCK_NAME = bytes(",\"name\":");
  private static final byte[] TOOL_BLOCK_END = bytes(",\"input\":{}}}\n\n");
  private static final byte[] DELTA = bytes("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":");
  private static final byte[] TEXT_DELTA = bytes(",\"delta\":{\"type\":\"text_delta\",\"text\":");
  private static final byte[] THINKING_DELTA = bytes(",\"delta\":{\"type\":\"thinking_delta\",\"thinking\":");
  private static final byte[] INPUT_DELTA = bytes(",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":");
  private static final byte[] SIGNATURE_DELTA = bytes(",\"delta\":{\"type\":\"signature_delta\",\"signature\":");
  private static final byte[] DELTA_END = bytes("}}\n\n");
  private static final byte[] BLOCK_STOP = bytes("event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":");
  private static final byte[] OBJECT_END = bytes("}\n\n");
  private static final byte[] MESSAGE_DELTA = bytes("event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":");
  private static final byte[] STOP_SEQUENCE = bytes(",\"stop_sequence\":");
  private static final byte[] USAGE = bytes("},\"usage\":{\"input_tokens\":");
  private static final byte[] OUTPUT_TOKENS = bytes(",\"output_tokens\":");
  private static final byte[] MESSAGE_DELTA_END = bytes("}}\n\n");

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
    out.accept(SseFrame.of(384).raw(MESSAGE_START).string(messageId).raw(MESSAGE_START_MODEL).string(model)
        .raw(MESSAGE_START_USAGE).number(inputTokens).raw(MESSAGE_START_END).raw(PING).buffer());
  }

  @Override public void keepAlive() {
    out.accept(Buffer.buffer(PING));
  }

  @Override public void text(String delta) {
    openIfNot(Block.TEXT);
    delta(TEXT_DELTA, delta);
  }

  @Override public void thinking(String delta) {
    openIfNot(Block.THINKING);
    thinkingText.append(delta);
    delta(THINKING_DELTA, delta);
  }

  @Override public void toolStart(String id, String name) {
    closeBlock();
    index++;
    open = Block.TOOL;
    out.accept(SseFrame.of(192).raw(BLOCK_START).number(index).raw(TOOL_BLOCK_ID).string(id)
        .raw(TOOL_BLOCK_NAME).string(name).raw(TOOL_BLOCK_END).buffer());
  }

  @Override public void toolArguments(String delta) {
    delta(INPUT_DELTA, delta);
  }

  @Override public void toolEnd() {
    closeBlock();
  }

  @Override public void stop(Stop stop, Usage usage) {
    closeBlock();
    out.accept(SseFrame.of(256).raw(MESSAGE_DELTA).string(stopReason(stop)).raw(STOP_SEQUENCE).string(stop.sequence())
        .raw(USAGE).number(usage.inputTokens()).raw(OUTPUT_TOKENS).number(usage.outputTokens()).raw(MESSAGE_DELTA_END)
        .raw(MESSAGE_STOP).buffer());
  }

  /** In-stream failure after the response started: an Anthropic {@code error} event. */
  @Override public void fail(UpstreamError error) {
    closeBlock();
    out.accept(Sse.event("error", new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", error.type().anthropic()).put("message", error.getMessage()))));
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
    index++;
    open = kind;
    out.accept(SseFrame.of(128).raw(BLOCK_START).number(index).raw(kind == Block.THINKING ? THINKING_BLOCK : TEXT_BLOCK).buffer());
  }

  private void delta(byte[] kind, String text) {
    out.accept(SseFrame.of(112 + text.length() + (text.length() >> 2)).raw(DELTA).number(index).raw(kind).string(text)
        .raw(DELTA_END).buffer());
  }

  private void closeBlock() {
    if (open == Block.NONE) return;
    if (open == Block.THINKING) {
      // clients replay thinking blocks with their signature; ours only has to be stable and opaque
      delta(SIGNATURE_DELTA, ThinkingSignature.of(thinkingText));
      thinkingText.setLength(0);
    }
    out.accept(SseFrame.of(96).raw(BLOCK_STOP).number(index).raw(OBJECT_END).buffer());
    open = Block.NONE;
  }
}
