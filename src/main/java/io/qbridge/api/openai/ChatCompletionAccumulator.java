package io.qbridge.api.openai;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Rebuilds one {@code chat.completion} from the chunk sequence, so the non-streaming response is
 * exactly what the stream would have said. {@code content} is null when the answer is only tool
 * calls, as OpenAI sends it.
 */
final class ChatCompletionAccumulator implements Consumer<JsonObject> {

  private JsonObject head;
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final List<JsonObject> toolCalls = new ArrayList<>();
  private final List<StringBuilder> arguments = new ArrayList<>();
  private String finishReason;
  private JsonObject usage;

  @Override
  public void accept(JsonObject chunk) {
    if (head == null) {
      head = new JsonObject().put("id", chunk.getString("id")).put("object", "chat.completion")
          .put("created", chunk.getLong("created")).put("model", chunk.getString("model"));
    }
    if (chunk.getValue("usage") instanceof JsonObject u) usage = u.copy();
    for (Object c : chunk.getJsonArray("choices")) {
      JsonObject choice = (JsonObject) c;
      JsonObject delta = choice.getJsonObject("delta");
      if (delta.getValue("content") instanceof String s) content.append(s);
      if (delta.getValue("reasoning_content") instanceof String s) reasoning.append(s);
      if (delta.getValue("tool_calls") instanceof JsonArray calls) calls.forEach(call -> onToolCall((JsonObject) call));
      if (choice.getValue("finish_reason") instanceof String r) finishReason = r;
    }
  }

  private void onToolCall(JsonObject call) {
    int index = call.getInteger("index");
    JsonObject function = call.getJsonObject("function");
    if (index == toolCalls.size()) {
      toolCalls.add(new JsonObject().put("id", call.getString("id")).put("type", "function")
          .put("function", new JsonObject().put("name", function.getString("name"))));
      arguments.add(new StringBuilder());
    }
    arguments.get(index).append(function.getString("arguments", ""));
  }

  JsonObject completion() {
    JsonObject message = new JsonObject().put("role", "assistant")
        .put("content", content.length() == 0 && !toolCalls.isEmpty() ? null : content.toString());
    if (reasoning.length() > 0) message.put("reasoning_content", reasoning.toString());
    if (!toolCalls.isEmpty()) {
      JsonArray calls = new JsonArray();
      for (int i = 0; i < toolCalls.size(); i++) {
        JsonObject call = toolCalls.get(i).copy();
        call.getJsonObject("function").put("arguments", arguments.get(i).toString());
        calls.add(call);
      }
      message.put("tool_calls", calls);
    }
    message.putNull("refusal");
    JsonObject choice = new JsonObject().put("index", 0).put("message", message).putNull("logprobs").put("finish_reason", finishReason);
    return head.copy().put("choices", new JsonArray().add(choice)).put("usage", usage);
  }
}
