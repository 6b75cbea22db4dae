package io.qbridge.api.openai;

import io.qbridge.answer.Stop;
import io.qbridge.answer.StreamEncoder;
import io.qbridge.answer.Usage;
import io.qbridge.relay.Sse;
import io.qbridge.upstream.UpstreamError;
import io.qbridge.web.ErrorShape;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * {@code chat.completion.chunk} objects as OpenAI streams them (protocol doc §8.2, "better
 * mapping"): the role first, content deltas, {@code tool_calls} deltas ({@code index}, {@code id},
 * {@code type}, {@code function.name} first, {@code arguments} fragments after), a final chunk with
 * {@code finish_reason}, an optional usage chunk with no choices, then {@code data: [DONE]}.
 * Thinking becomes {@code reasoning_content}, never content. Keep-alives are SSE comment lines
 * ({@code : ping}), which OpenAI clients skip; an in-stream failure is an error chunk in OpenAI's
 * error shape followed by {@code [DONE]}, which the SDKs raise as an error. Not thread-safe.
 */
final class ChatCompletionChunkEncoder implements StreamEncoder {

  static final String DONE = "[DONE]";

  /** What the identifying fields of every chunk say. */
  record Header(String id, long created, String model) {}

  private final Header header;
  private final boolean includeUsage;
  private final Consumer<Buffer> out;
  private boolean roleSent;
  private int toolIndex = -1;

  /** @param includeUsage add {@code "usage":null} to every chunk and a usage chunk at the end */
  ChatCompletionChunkEncoder(Header header, boolean includeUsage, Consumer<Buffer> out) {
    this.header = header;
    this.includeUsage = includeUsage;
    this.out = out;
  }

  /** Nothing: OpenAI's first chunk carries the role together with the first delta. */
  @Override public void start() {}

  @Override public void keepAlive() {
    out.accept(Sse.comment("ping"));
  }

  @Override public void text(String delta) {
    emit(new JsonObject().put("content", delta));
  }

  @Override public void thinking(String delta) {
    emit(new JsonObject().put("reasoning_content", delta));
  }

  @Override public void toolStart(String id, String name) {
    toolIndex++;
    emit(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
        .put("index", toolIndex).put("id", id).put("type", "function")
        .put("function", new JsonObject().put("name", name).put("arguments", "")))));
  }

  @Override public void toolArguments(String delta) {
    emit(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
        .put("index", toolIndex).put("function", new JsonObject().put("arguments", delta)))));
  }

  @Override public void toolEnd() {}

  @Override public void stop(Stop stop, Usage usage) {
    if (!roleSent) emitRoleChunk();
    send(chunk(new JsonObject(), finishReason(stop)));
    if (includeUsage) send(head().put("choices", new JsonArray()).put("usage", usage(usage)));
    out.accept(Sse.data(DONE));
  }

  @Override public void fail(UpstreamError error) {
    out.accept(Sse.data(ErrorShape.OPENAI.body(error.type(), error.getMessage()).encode()));
    out.accept(Sse.data(DONE));
  }

  static String finishReason(Stop stop) {
    return switch (stop.reason()) {
      case MAX_TOKENS -> "length";
      case TOOL_USE -> "tool_calls";
      case END_TURN, STOP_SEQUENCE -> "stop";
    };
  }

  static JsonObject usage(Usage usage) {
    return new JsonObject()
        .put("prompt_tokens", usage.inputTokens())
        .put("completion_tokens", usage.outputTokens())
        .put("total_tokens", usage.inputTokens() + usage.outputTokens())
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", usage.reasoningTokens()));
  }

  /**
   * OpenAI opens with the role: a chunk of its own ({@code content: ""}) before text, or on the
   * first tool call's chunk ({@code content: null}) when the answer starts with a tool call.
   */
  private void emit(JsonObject delta) {
    if (!roleSent) {
      if (delta.containsKey("tool_calls")) {
        roleSent = true;
        delta = new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", delta.getValue("tool_calls")).putNull("refusal");
      } else {
        emitRoleChunk();
      }
    }
    send(chunk(delta, null));
  }

  private void emitRoleChunk() {
    roleSent = true;
    send(chunk(new JsonObject().put("role", "assistant").put("content", "").putNull("refusal"), null));
  }

  private JsonObject chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs").put("finish_reason", finishReason);
    JsonObject chunk = head().put("choices", new JsonArray().add(choice));
    if (includeUsage) chunk.putNull("usage");
    return chunk;
  }

  private JsonObject head() {
    return new JsonObject().put("id", header.id()).put("object", "chat.completion.chunk")
        .put("created", header.created()).put("model", header.model());
  }

  private void send(JsonObject chunk) {
    out.accept(Sse.data(chunk.encode()));
  }
}
