package io.qbridge.chat;

import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.QRequest;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.Bodies;
import io.qbridge.web.BodyWork;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What both chat front ends do with a request: parse its body, estimate the conversation's prompt
 * tokens (once: the same estimate feeds the context check, {@code message_start} and usage),
 * refuse an oversized prompt locally (CONTEXT_TOKEN_LIMIT) in the caller's API wording, build the
 * one Amazon Q request, and run it through the pool with the caller's response writer.
 *
 * <p>Parsing to building costs time in proportion to the body, so {@link #parse} runs it through
 * {@link BodyWork}: inline for small bodies, on a worker for large ones; the exchange then runs on
 * the event loop.
 */
public final class ChatPipeline {

  /** A conversation ready to send: its prompt estimate and its Amazon Q request. */
  public record Prepared(Conversation conversation, int inputTokens, QRequest request) {}

  private final AmazonQRequestBuilder builder;
  private final TokenCounter tokens;
  private final ChatExchange exchange;
  private final int contextTokenLimit;
  private final BodyWork bodyWork;

  /** @param contextTokenLimit local prompt-size limit in estimated tokens, 0 = no local check */
  public ChatPipeline(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit,
      BodyWork bodyWork) {
    this.builder = builder;
    this.tokens = tokens;
    this.exchange = exchange;
    this.contextTokenLimit = contextTokenLimit;
    this.bodyWork = bodyWork;
  }

  public TokenCounter tokens() { return tokens; }

  /**
   * Applies {@code parse} to the body as a JSON object (400 when it is not one), off the event loop
   * when the body is large; {@code parse} may run on a worker thread, so it must only touch its
   * argument and thread-safe state (it typically ends with {@link #prepare}). The future completes
   * on the event loop.
   */
  public <T> Future<T> parse(RoutingContext ctx, Function<JsonObject, T> parse) {
    return bodyWork.run(ctx, body -> parse.apply(Bodies.jsonObject(body)));
  }

  /**
   * Runs {@code job}, whose cost grows with {@code bytes} of request data, where it cannot stall
   * the event loop (see {@link BodyWork}); for work beyond parsing the body, e.g. preparing a
   * conversation that continues a stored one. The future completes on the event loop.
   */
  public <T> Future<T> work(long bytes, Supplier<T> job) {
    return bodyWork.run(bytes, job);
  }

  /**
   * Thread-safe.
   *
   * @param tooLong the API's own "prompt too long" wording for (estimated tokens), which clients
   *                recognise and answer by compacting
   */
  public Prepared prepare(Conversation conversation, IntFunction<String> tooLong) {
    int inputTokens = InputTokenEstimator.estimate(conversation, tokens);
    if (contextTokenLimit > 0 && inputTokens > contextTokenLimit) throw GatewayException.badRequest(tooLong.apply(inputTokens));
    return new Prepared(conversation, inputTokens, builder.build(conversation));
  }

  public int contextTokenLimit() { return contextTokenLimit; }

  public void run(RoutingContext ctx, Prepared prepared, Supplier<ResponseWriter> writerFactory) {
    RequestFacts.of(ctx).prepared(prepared.conversation().modelId(), prepared.inputTokens());
    exchange.run(ctx, prepared.request().body(), writerFactory);
  }
}
