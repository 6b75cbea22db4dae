package io.qbridge.chat;

import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.QRequest;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.telemetry.RequestFacts;
import io.vertx.ext.web.RoutingContext;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What both chat front ends do with a parsed conversation: estimate its prompt tokens, refuse an
 * oversized prompt locally (CONTEXT_TOKEN_LIMIT) in the caller's API wording, build the one Amazon
 * Q request, and run it through the pool with the caller's response writer.
 */
public final class ChatPipeline {

  /** A conversation ready to send: its prompt estimate and its Amazon Q request. */
  public record Prepared(Conversation conversation, int inputTokens, QRequest request) {}

  private final AmazonQRequestBuilder builder;
  private final TokenCounter tokens;
  private final ChatExchange exchange;
  private final int contextTokenLimit;

  /** @param contextTokenLimit local prompt-size limit in estimated tokens, 0 = no local check */
  public ChatPipeline(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit) {
    this.builder = builder;
    this.tokens = tokens;
    this.exchange = exchange;
    this.contextTokenLimit = contextTokenLimit;
  }

  public TokenCounter tokens() { return tokens; }

  /**
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
