package io.qbridge.api.anthropic;

import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.QRequest;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.http.Bodies;
import io.qbridge.http.ChatExchange;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** {@code POST /v1/messages}: Anthropic Messages API on top of Amazon Q. */
public final class MessagesHandler implements Handler<RoutingContext> {

  private final AmazonQRequestBuilder builder;
  private final TokenCounter tokens;
  private final ChatExchange exchange;
  private final int contextTokenLimit;

  /** @param contextTokenLimit local prompt-size limit in estimated tokens, 0 = no local check */
  public MessagesHandler(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit) {
    this.builder = builder;
    this.tokens = tokens;
    this.exchange = exchange;
    this.contextTokenLimit = contextTokenLimit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject body = Bodies.jsonObject(ctx);
    Conversation conversation = ClaudeRequestParser.parse(body);
    int inputTokens = InputTokenEstimator.estimate(conversation, tokens);
    if (contextTokenLimit > 0 && inputTokens > contextTokenLimit) {
      // Anthropic's own wording, which Claude Code and others recognise and answer by compacting
      throw GatewayException.badRequest("prompt is too long: " + inputTokens + " tokens > " + contextTokenLimit + " maximum");
    }
    QRequest qRequest = builder.build(conversation);
    boolean stream = Boolean.TRUE.equals(body.getValue("stream"));
    String messageId = "msg_" + UUID.randomUUID().toString().replace("-", "");
    int maxTokens = body.getValue("max_tokens") instanceof Number n ? n.intValue() : 0;
    List<String> stopSequences = ClaudeRequestParser.stopSequences(body);
    exchange.run(ctx, qRequest.body(), () -> new ClaudeResponseWriter(ctx.response(), stream, messageId,
        conversation.clientModel(), inputTokens, tokens, conversation.thinking(), qRequest.toolNames(),
        maxTokens, stopSequences));
  }
}
