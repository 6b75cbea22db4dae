package io.qbridge.api.openai;

import io.qbridge.answer.AnswerAccumulator;
import io.qbridge.answer.Stop;
import io.qbridge.answer.Usage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * One {@code chat.completion} built from the shaped answer, saying exactly what the stream would
 * have ({@link ChatCompletionChunkEncoder}). {@code content} is null when the answer is only tool
 * calls, as OpenAI sends it; usage is always included.
 */
final class ChatCompletionAccumulator implements AnswerAccumulator {

  private final ChatCompletionChunkEncoder.Header header;
  private final StringBuilder content = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final JsonArray toolCalls = new JsonArray();
  private final StringBuilder arguments = new StringBuilder();
  private String finishReason;
  private JsonObject usage;

  ChatCompletionAccumulator(ChatCompletionChunkEncoder.Header header) {
    this.header = header;
  }

  @Override public void text(String delta) { content.append(delta); }

  @Override public void thinking(String delta) { reasoning.append(delta); }

  @Override public void toolStart(String id, String name) {
    toolCalls.add(new JsonObject().put("id", id).put("type", "function").put("function", new JsonObject().put("name", name)));
    arguments.setLength(0);
  }

  @Override public void toolArguments(String delta) { arguments.append(delta); }

  @Override public void toolEnd() {
    toolCalls.getJsonObject(toolCalls.size() - 1).getJsonObject("function").put("arguments", arguments.toString());
  }

  @Override public void stop(Stop stop, Usage usage) {
    finishReason = ChatCompletionChunkEncoder.finishReason(stop);
    this.usage = ChatCompletionChunkEncoder.usage(usage);
  }

  @Override public JsonObject body() {
    JsonObject message = new JsonObject().put("role", "assistant")
        .put("content", content.length() == 0 && !toolCalls.isEmpty() ? null : content.toString());
    if (reasoning.length() > 0) message.put("reasoning_content", reasoning.toString());
    if (!toolCalls.isEmpty()) message.put("tool_calls", toolCalls);
    message.putNull("refusal");
    JsonObject choice = new JsonObject().put("index", 0).put("message", message).putNull("logprobs").put("finish_reason", finishReason);
    return new JsonObject().put("id", header.id()).put("object", "chat.completion")
        .put("created", header.created()).put("model", header.model())
        .put("choices", new JsonArray().add(choice)).put("usage", usage);
  }
}
