package io.qbridge.api.responses;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerWriter;
import io.qbridge.api.responses.store.ResponseStoreClient;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.routing.ConversationKeys;
import io.qbridge.convert.Conversation;
import io.qbridge.web.Bodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/responses}: the OpenAI Responses API on the same pipeline (estimate, local size check,
 * one Amazon Q request builder, failover) and the same answer policy as the other two APIs. With
 * {@code previous_response_id} the stored conversation goes first; with {@code store} (the default)
 * the finished response and its conversation are stored, before the response's last byte is sent,
 * so a client's next request finds it.
 */
public final class ResponsesHandler {

  private static final Logger log = LoggerFactory.getLogger(ResponsesHandler.class);

  private final ChatPipeline pipeline;
  private final ResponseStoreClient store;

  public ResponsesHandler(ChatPipeline pipeline, ResponseStoreClient store) {
    this.pipeline = pipeline;
    this.store = store;
  }

  /** The parsed request, the stored conversation it continues, and the prepared upstream call. */
  private record Call(ResponsesRequest request, JsonArray prior, Conversation conversation, ChatPipeline.Prepared p) {}

  /**
   * {@code POST /v1/responses}: parse (off the event loop when large), fetch the conversation it
   * continues, prepare (off the event loop when large or continuing one), run.
   */
  public void create(RoutingContext ctx) {
    long bodyBytes = Bodies.buffer(ctx).length();
    pipeline.parse(ctx, ResponsesRequestParser::parse)
        .compose(request -> priorItems(request).compose(prior ->
            // a stored conversation may be as large as a body: decoding it is part of the weighed work
            pipeline.work(bodyBytes + prior.length(), () -> prepare(request, new JsonArray(prior)))))
        .onSuccess(call -> run(ctx, call))
        .onFailure(ctx::fail);
  }

  /** The encoded items of the conversation the request continues, {@code []} for a new one. */
  private Future<String> priorItems(ResponsesRequest request) {
    return request.previousResponseId() == null
        ? Future.succeededFuture("[]")
        : store.encodedItems(request.previousResponseId());
  }

  private Call prepare(ResponsesRequest request, JsonArray prior) {
    Conversation conversation = ResponsesConversation.build(request, prior);
    // OpenAI's own wording, which clients recognise as context_length_exceeded
    String key = ConversationKeys.fromResponses(new JsonObject()
        .put("prompt_cache_key", request.echo().getValue("prompt_cache_key"))
        .put("previous_response_id", request.previousResponseId()));
    ChatPipeline.Prepared p = pipeline.prepare(conversation, key, (tokens, limit) -> "Your input exceeds the context window of this model: "
        + tokens + " tokens, the limit is " + limit + ". Please reduce the length of the input.");
    return new Call(request, prior, conversation, p);
  }

  private void run(RoutingContext ctx, Call call) {
    ResponsesRequest request = call.request();
    ChatPipeline.Prepared p = call.p();
    String id = ResponsesEncoder.id("resp");
    JsonObject base = new JsonObject().put("id", id).put("object", "response").put("created_at", Instant.now().getEpochSecond())
        .put("status", "in_progress").put("background", false).putNull("error").putNull("incomplete_details")
        .put("model", request.model()).put("output", new JsonArray()).putNull("usage")
        .mergeIn(request.echo());
    AnswerPolicy policy = new AnswerPolicy(p.inputTokens(), pipeline.tokens(), call.conversation().thinking(),
        p.model().clampMaxTokens(request.maxOutputTokens()), List.of(), p.request().toolNames(), p.model().contextWindow());
    ResponsesEncoder.Completion completion = request.store()
        ? (response, output) -> store(response, call.prior(), request.input(), output) : null;
    // a stored response may be continued (previous_response_id): its id follows the account serving it
    String followUpKey = request.store() ? ConversationKeys.responseId(id) : null;
    pipeline.run(ctx, p, followUpKey, () -> request.stream()
        ? AnswerWriter.streaming(ctx.response(), policy,
            out -> new ResponsesEncoder(base, request.namespaces(), request.includeEncryptedReasoning(), out, completion))
        : AnswerWriter.whole(ctx.response(), policy,
            new ResponsesEncoder(base, request.namespaces(), request.includeEncryptedReasoning(), null, completion)));
  }

  /** The conversation to continue from: stored items, this request's input, then the output. */
  private void store(JsonObject response, JsonArray prior, JsonArray input, JsonArray output) {
    JsonArray items = prior.copy();
    input.forEach(items::add);
    output.forEach(items::add);
    store.put(response, items).onFailure(t -> log.warn("response {} not stored: {}", response.getString("id"), t.getMessage()));
  }

  /** {@code GET /v1/responses/{id}}. */
  public void get(RoutingContext ctx) {
    store.response(ctx.pathParam("id")).onSuccess(r -> ctx.response().putHeader("content-type", "application/json").end(r.toBuffer()))
        .onFailure(ctx::fail);
  }

  /**
   * {@code GET /v1/responses/{id}/input_items}: a stored conversation may be megabytes, so it is
   * decoded and paged as weighed work, off the event loop when large.
   */
  public void inputItems(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    Future.succeededFuture().map(v -> ResponsesInputItems.Page.of(ctx.queryParams().get("limit"),
            ctx.queryParams().get("order"), ctx.queryParams().get("after")))
        .compose(page -> store.encoded(id).compose(stored -> pipeline.work(stored.length(), () ->
            ResponsesInputItems.list(id, new JsonObject(stored.response()), new JsonArray(stored.items()), page).toBuffer())))
        .onSuccess(body -> ctx.response().putHeader("content-type", "application/json").end(body))
        .onFailure(ctx::fail);
  }

  /** {@code DELETE /v1/responses/{id}}. */
  public void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    store.delete(id).onSuccess(v -> ctx.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("id", id).put("object", "response.deleted").put("deleted", true).toBuffer()))
        .onFailure(ctx::fail);
  }
}
