package io.qbridge.api.responses;

import io.qbridge.answer.AnswerAccumulator;
import io.qbridge.answer.Stop;
import io.qbridge.answer.StreamEncoder;
import io.qbridge.answer.Usage;
import io.qbridge.ids.RandomIds;
import io.qbridge.relay.Sse;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The Responses wire encoder on the shared answer policy: builds the {@code response} object's
 * output items (reasoning, message, function_call) from the shaped answer, and when streaming
 * writes OpenAI's typed event sequence with {@code sequence_number}s:
 * {@code response.created}, {@code response.in_progress}, then per item
 * {@code response.output_item.added} … {@code response.output_item.done} (with
 * {@code content_part.*} and {@code output_text.*}, {@code reasoning_summary_part.*} and
 * {@code reasoning_summary_text.*}, or {@code function_call_arguments.*} inside), and finally
 * {@code response.completed} or {@code response.incomplete} (reason {@code max_output_tokens}).
 * A failure after the first byte is an {@code error} event followed by {@code response.failed}.
 * Without an output (non-streaming) it only builds, and {@link #body()} is the whole response.
 * Not thread-safe; one per attempt, on the request's event loop.
 */
final class ResponsesEncoder implements StreamEncoder, AnswerAccumulator {

  /** What a finished response reports to whoever stores it: the response object and its output items with full reasoning. */
  interface Completion extends BiConsumer<JsonObject, JsonArray> {}

  private enum Open { NONE, REASONING, MESSAGE, FUNCTION }

  private final JsonObject response;
  private final Namespaces namespaces;
  private final boolean includeEncrypted;
  private final Consumer<Buffer> out;
  private final Completion completion;
  private final JsonArray output = new JsonArray();
  private final JsonArray storedOutput = new JsonArray();
  private final StringBuilder buffer = new StringBuilder();
  private Open open = Open.NONE;
  private JsonObject item;
  private int sequence;

  /**
   * @param base       the response object as created (id, model, echoed request fields), status in progress
   * @param out        SSE frame output, or null for a whole response
   * @param completion called once with the finished response, or null
   */
  ResponsesEncoder(JsonObject base, Namespaces namespaces, boolean includeEncrypted, Consumer<Buffer> out, Completion completion) {
    this.response = base.copy().put("status", "in_progress").put("output", output);
    this.namespaces = namespaces;
    this.includeEncrypted = includeEncrypted;
    this.out = out;
    this.completion = completion;
  }

  @Override public void start() {
    emit("response.created", new JsonObject().put("response", response.copy()));
    emit("response.in_progress", new JsonObject().put("response", response.copy()));
  }

  @Override public void keepAlive() {
    if (out != null) out.accept(Sse.comment("ping"));
  }

  @Override public void text(String delta) {
    if (open != Open.MESSAGE) {
      close();
      open(Open.MESSAGE, new JsonObject().put("id", id("msg")).put("type", "message").put("status", "in_progress")
          .put("role", "assistant").put("content", new JsonArray()));
      emit("response.content_part.added", itemRef().put("content_index", 0).put("part", textPart("")));
    }
    buffer.append(delta);
    emit("response.output_text.delta", itemRef().put("content_index", 0).put("delta", delta).put("logprobs", new JsonArray()));
  }

  @Override public void thinking(String delta) {
    if (open != Open.REASONING) {
      close();
      open(Open.REASONING, new JsonObject().put("id", id("rs")).put("type", "reasoning").put("summary", new JsonArray()));
      emit("response.reasoning_summary_part.added", itemRef().put("summary_index", 0).put("part", summaryPart("")));
    }
    buffer.append(delta);
    emit("response.reasoning_summary_text.delta", itemRef().put("summary_index", 0).put("delta", delta));
  }

  @Override public void toolStart(String id, String name) {
    close();
    JsonObject call = new JsonObject().put("id", id("fc")).put("type", "function_call").put("status", "in_progress")
        .put("arguments", "").put("call_id", id);
    Namespaces.Qualified q = namespaces.qualify(name);
    if (q != null) call.put("name", q.name()).put("namespace", q.namespace());
    else call.put("name", name);
    open(Open.FUNCTION, call);
  }

  @Override public void toolArguments(String delta) {
    buffer.append(delta);
    emit("response.function_call_arguments.delta", itemRef().put("delta", delta));
  }

  @Override public void toolEnd() {
    close();
  }

  @Override public void stop(Stop stop, Usage usage) {
    boolean cut = stop.reason() == Stop.Reason.MAX_TOKENS;
    close(cut ? "incomplete" : "completed");
    response.put("status", cut ? "incomplete" : "completed")
        .put("incomplete_details", cut ? new JsonObject().put("reason", "max_output_tokens") : null)
        .put("usage", new JsonObject()
            .put("input_tokens", usage.inputTokens())
            .put("input_tokens_details", new JsonObject().put("cached_tokens", 0))
            .put("output_tokens", usage.outputTokens())
            .put("output_tokens_details", new JsonObject().put("reasoning_tokens", usage.reasoningTokens()))
            .put("total_tokens", usage.inputTokens() + usage.outputTokens()));
    emit(cut ? "response.incomplete" : "response.completed", new JsonObject().put("response", response.copy()));
    if (completion != null) completion.accept(response.copy(), storedOutput.copy());
  }

  @Override public void fail(UpstreamError error) {
    String code = error.type().openai();
    emit("error", new JsonObject().put("code", code).put("message", error.getMessage()).putNull("param"));
    response.put("status", "failed").put("error", new JsonObject().put("code", code).put("message", error.getMessage()));
    emit("response.failed", new JsonObject().put("response", response.copy()));
  }

  @Override public JsonObject body() {
    return response;
  }

  // ---------------------------------------------------------------- items

  private void open(Open kind, JsonObject newItem) {
    open = kind;
    item = newItem;
    buffer.setLength(0);
    output.add(newItem);
    emit("response.output_item.added", new JsonObject().put("output_index", output.size() - 1).put("item", newItem.copy()));
  }

  private void close() {
    close("completed");
  }

  /** Ends the open item: its .done events with the full text, then output_item.done. */
  private void close(String status) {
    if (open == Open.NONE) return;
    String text = buffer.toString();
    JsonObject stored;
    switch (open) {
      case MESSAGE -> {
        emit("response.output_text.done", itemRef().put("content_index", 0).put("text", text).put("logprobs", new JsonArray()));
        emit("response.content_part.done", itemRef().put("content_index", 0).put("part", textPart(text)));
        item.put("status", status).put("content", new JsonArray().add(textPart(text)));
        stored = item.copy();
      }
      case REASONING -> {
        emit("response.reasoning_summary_text.done", itemRef().put("summary_index", 0).put("text", text));
        emit("response.reasoning_summary_part.done", itemRef().put("summary_index", 0).put("part", summaryPart(text)));
        item.put("summary", new JsonArray().add(summaryPart(text)));
        if (includeEncrypted) item.put("encrypted_content", ResponsesConversation.encrypt(text));
        // the stored copy always keeps the full thinking, so previous_response_id replays it
        stored = item.copy().put("encrypted_content", ResponsesConversation.encrypt(text));
      }
      default -> {
        emit("response.function_call_arguments.done", itemRef().put("arguments", text));
        item.put("status", status).put("arguments", text);
        stored = item.copy();
      }
    }
    emit("response.output_item.done", new JsonObject().put("output_index", output.size() - 1).put("item", item.copy()));
    storedOutput.add(stored);
    open = Open.NONE;
    item = null;
  }

  private JsonObject itemRef() {
    return new JsonObject().put("item_id", item.getString("id")).put("output_index", output.size() - 1);
  }

  private static JsonObject textPart(String text) {
    return new JsonObject().put("type", "output_text").put("text", text).put("annotations", new JsonArray()).put("logprobs", new JsonArray());
  }

  private static JsonObject summaryPart(String text) {
    return new JsonObject().put("type", "summary_text").put("text", text);
  }

  private void emit(String type, JsonObject event) {
    if (out == null) return;
    JsonObject e = new JsonObject().put("type", type).put("sequence_number", sequence++);
    e.mergeIn(event);
    out.accept(Sse.event(type, e));
  }

  static String id(String prefix) {
    return prefix + "_" + RandomIds.hex32();
  }
}
