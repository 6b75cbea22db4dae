package io.qbridge.api.anthropic;

import io.qbridge.answer.AnswerAccumulator;
import io.qbridge.answer.Stop;
import io.qbridge.answer.Usage;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One Anthropic {@code message} object built from the shaped answer, with the same blocks the
 * stream would have had ({@link ClaudeStreamEncoder}): consecutive text or thinking fragments
 * share a block, a thinking block carries its signature, a tool call's input is parsed JSON.
 */
final class ClaudeMessageAccumulator implements AnswerAccumulator {

  private final JsonObject message;
  private final JsonArray content = new JsonArray();
  private final StringBuilder current = new StringBuilder();
  private String open; // type of the open block: "text", "thinking", "tool_use" or null

  ClaudeMessageAccumulator(String messageId, String model) {
    this.message = new JsonObject()
        .put("id", messageId).put("type", "message").put("role", "assistant")
        .put("content", content).put("model", model);
  }

  @Override public void text(String delta) {
    openIfNot("text");
    current.append(delta);
  }

  @Override public void thinking(String delta) {
    openIfNot("thinking");
    current.append(delta);
  }

  @Override public void toolStart(String id, String name) {
    close();
    open = "tool_use";
    content.add(new JsonObject().put("type", "tool_use").put("id", id).put("name", name).put("input", new JsonObject()));
  }

  @Override public void toolArguments(String delta) {
    current.append(delta);
  }

  @Override public void toolEnd() {
    close();
  }

  @Override public void stop(Stop stop, Usage usage) {
    close();
    message.put("stop_reason", ClaudeStreamEncoder.stopReason(stop)).put("stop_sequence", stop.sequence())
        .put("usage", new JsonObject().put("input_tokens", usage.inputTokens()).put("output_tokens", usage.outputTokens()));
  }

  @Override public JsonObject body() {
    return message;
  }

  private void openIfNot(String type) {
    if (type.equals(open)) return;
    close();
    open = type;
    content.add(new JsonObject().put("type", type).put(type, ""));
  }

  private void close() {
    if (open == null) return;
    JsonObject block = content.getJsonObject(content.size() - 1);
    switch (open) {
      case "text" -> block.put("text", current.toString());
      case "thinking" -> block.put("thinking", current.toString()).put("signature", ThinkingSignature.of(current));
      default -> block.put("input", parseInput(current.toString()));
    }
    current.setLength(0);
    open = null;
  }

  private static JsonObject parseInput(String json) {
    if (json.isBlank()) return new JsonObject();
    try {
      return new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      // keep what the model produced so the client can see it, as q2api does
      return new JsonObject().put("error", "invalid json").put("partial", json);
    }
  }
}
