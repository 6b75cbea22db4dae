package io.qbridge.api.openai;

import static io.qbridge.relay.SseFrame.bytes;

import io.qbridge.answer.Stop;
import io.qbridge.answer.StreamEncoder;
import io.qbridge.answer.Usage;
import io.qbridge.relay.Sse;
import io.qbridge.relay.SseFrame;
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
 * error shape followed by {@code [DONE]}, which the SDKs raise as an error. Chunks are written
 * directly: the identifying head is encoded once per response, deltas from pre-encoded parts.
 * Not thread-safe.
 */
final class ChatCompletionChunkEncoder implements StreamEncoder {

  static final String DONE = "[DONE]";

  /** What the identifying fields of every chunk say. */
  record Header(String id, long created, String model) {}

  private static final byte[] PING = bytes(": ping\n\n");
  private static final byte[] DONE_FRAME = bytes("data: [DONE]\n\n");
  private static final byte[] CONTENT = bytes("{\"content\":");
  private static final byte[] REASONING = bytes("{\"reasoning_content\":");
  private static final byte[] ROLE = bytes("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}");
  private static final byte[] ROLE_WITH_TOOL_CALLS = bytes("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":");
  private static final byte[] TOOL_CALLS = bytes("{\"tool_calls\":[{\"index\":");
  private static final byte[] TOOL_ID = bytes(",\"id\":");
  private static final byte[] TOOL_NAME = bytes(",\"type\":\"function\",\"function\":{\"name\":");
  private static final byte[] TOOL_START_END = bytes(",\"arguments\":\"\"}}]");
  private static final byte[] ARGUMENTS = bytes(",\"function\":{\"arguments\":");
  private static final byte[] ARGUMENTS_END = bytes("}}]");
  private static final byte[] TOOL_CALLS_END = bytes("}");
  private static final byte[] ROLE_TOOL_CALLS_END = bytes(",\"refusal\":null}");
  private static final byte[] OBJECT_END = bytes("}");
  private static final byte[] EMPTY_DELTA = bytes("{}");
  private static final byte[] FINISH = bytes(",\"logprobs\":null,\"finish_reason\":");

  private final Header header;
  private final boolean includeUsage;
  private final Consumer<Buffer> out;
  private final byte[] head;  // data: {"id":…,"object":…,"created":…,"model":…,"choices":[{"index":0,"delta":
  private final byte[] tail;  // ,"logprobs":null,"finish_reason":null}]["usage":null]}\n\n
  private final byte[] finishTail; // }]["usage":null]}\n\n after the finish reason
  private boolean roleSent;
  private int toolIndex = -1;

  /** @param includeUsage add {@code "usage":null} to every chunk and a usage chunk at the end */
  ChatCompletionChunkEncoder(Header header, boolean includeUsage, Consumer<Buffer> out) {
    this.header = header;
    this.includeUsage = includeUsage;
    this.out = out;
    this.head = SseFrame.of(160).raw(bytes("data: {\"id\":")).string(header.id())
        .raw(bytes(",\"object\":\"chat.completion.chunk\",\"created\":")).number(header.created())
        .raw(bytes(",\"model\":")).string(header.model()).raw(bytes(",\"choices\":[{\"index\":0,\"delta\":"))
        .buffer().getBytes();
    String end = "}]" + (includeUsage ? ",\"usage\":null" : "") + "}\n\n";
    this.finishTail = bytes(end);
    this.tail = bytes(",\"logprobs\":null,\"finish_reason\":null" + end);
  }

  /** Nothing: OpenAI's first chunk carries the role together with the first delta. */
  @Override public void start() {}

  @Override public void keepAlive() {
    out.accept(Buffer.buffer(PING));
  }

  @Override public void text(String delta) {
    textual(CONTENT, delta);
  }

  @Override public void thinking(String delta) {
    textual(REASONING, delta);
  }

  @Override public void toolStart(String id, String name) {
    toolIndex++;
    boolean withRole = !roleSent;
    SseFrame frame = toolCalls(withRole).number(toolIndex).raw(TOOL_ID).string(id).raw(TOOL_NAME).string(name).raw(TOOL_START_END);
    out.accept(endToolCalls(frame, withRole));
  }

  @Override public void toolArguments(String delta) {
    boolean withRole = !roleSent;
    SseFrame frame = toolCalls(withRole).number(toolIndex).raw(ARGUMENTS).string(delta).raw(ARGUMENTS_END);
    out.accept(endToolCalls(frame, withRole));
  }

  @Override public void toolEnd() {}

  @Override public void stop(Stop stop, Usage usage) {
    if (!roleSent) emitRoleChunk();
    SseFrame frame = SseFrame.of(head.length + 64).raw(head).raw(EMPTY_DELTA).raw(FINISH).string(finishReason(stop))
        .raw(finishTail);
    out.accept(frame.buffer());
    if (includeUsage) {
      JsonObject usageChunk = new JsonObject().put("id", header.id()).put("object", "chat.completion.chunk")
          .put("created", header.created()).put("model", header.model())
          .put("choices", new JsonArray()).put("usage", usage(usage));
      out.accept(Sse.data(usageChunk.encode()));
    }
    out.accept(Buffer.buffer(DONE_FRAME));
  }

  @Override public void fail(UpstreamError error) {
    out.accept(Sse.data(ErrorShape.OPENAI.body(error.type(), error.getMessage()).encode()));
    out.accept(Buffer.buffer(DONE_FRAME));
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

  /** A content or reasoning delta; OpenAI opens with a role chunk of its own ({@code content: ""}) before it. */
  private void textual(byte[] field, String delta) {
    if (!roleSent) emitRoleChunk();
    out.accept(SseFrame.of(head.length + tail.length + 24 + delta.length() + (delta.length() >> 2))
        .raw(head).raw(field).string(delta).raw(OBJECT_END).raw(tail).buffer());
  }

  /**
   * A tool-calls delta; when the answer starts with a tool call, the role rides on its chunk
   * ({@code content: null}) instead of a chunk of its own.
   */
  private SseFrame toolCalls(boolean withRole) {
    roleSent = true;
    return SseFrame.of(head.length + tail.length + 160).raw(head).raw(withRole ? ROLE_WITH_TOOL_CALLS : TOOL_CALLS);
  }

  private Buffer endToolCalls(SseFrame frame, boolean withRole) {
    return frame.raw(withRole ? ROLE_TOOL_CALLS_END : TOOL_CALLS_END).raw(tail).buffer();
  }

  private void emitRoleChunk() {
    roleSent = true;
    out.accept(SseFrame.of(head.length + tail.length + 64).raw(head).raw(ROLE).raw(tail).buffer());
  }
}
