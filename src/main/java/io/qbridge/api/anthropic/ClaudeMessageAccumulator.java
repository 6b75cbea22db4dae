package io.qbridge.api.anthropic;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.BiConsumer;

/**
 * Rebuilds one Anthropic {@code message} object from the streaming event sequence, so the
 * non-streaming response is exactly what the stream would have said.
 */
final class ClaudeMessageAccumulator implements BiConsumer<String, JsonObject> {

  private JsonObject message;
  private final JsonArray content = new JsonArray();
  private final StringBuilder current = new StringBuilder();

  @Override
  public void accept(String event, JsonObject data) {
    switch (event) {
      case "message_start" -> message = data.getJsonObject("message").copy();
      case "content_block_start" -> {
        content.add(data.getJsonObject("content_block").copy());
        current.setLength(0);
      }
      case "content_block_delta" -> {
        JsonObject delta = data.getJsonObject("delta");
        switch (delta.getString("type")) {
          case "text_delta" -> last().put("text", last().getString("text", "") + delta.getString("text"));
          case "thinking_delta" -> last().put("thinking", last().getString("thinking", "") + delta.getString("thinking"));
          case "signature_delta" -> last().put("signature", delta.getString("signature"));
          case "input_json_delta" -> current.append(delta.getString("partial_json"));
          default -> { }
        }
      }
      case "content_block_stop" -> {
        JsonObject block = last();
        if ("tool_use".equals(block.getString("type"))) block.put("input", parseInput(current.toString()));
      }
      case "message_delta" -> {
        JsonObject delta = data.getJsonObject("delta");
        message.put("stop_reason", delta.getValue("stop_reason"));
        message.put("stop_sequence", delta.getValue("stop_sequence"));
        message.put("usage", data.getJsonObject("usage").copy());
      }
      default -> { }
    }
  }

  JsonObject message() {
    return message.copy().put("content", content.copy());
  }

  private JsonObject last() {
    return content.getJsonObject(content.size() - 1);
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
