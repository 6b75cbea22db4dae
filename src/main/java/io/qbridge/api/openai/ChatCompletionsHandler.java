package io.qbridge.api.openai;

import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.QRequest;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.http.Bodies;
import io.qbridge.http.ChatExchange;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/** {@code POST /v1/chat/completions}: OpenAI Chat Completions on top of Amazon Q. */
public final class ChatCompletionsHandler implements Handler<RoutingContext> {

  private final AmazonQRequestBuilder builder;
  private final TokenCounter tokens;
  private final ChatExchange exchange;
  private final int contextTokenLimit;

  /** @param contextTokenLimit local prompt-size limit in estimated tokens, 0 = no local check */
  public ChatCompletionsHandler(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit) {
    this.builder = builder;
    this.tokens = tokens;
    this.exchange = exchange;
    this.contextTokenLimit = contextTokenLimit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ChatRequest request = ChatRequestParser.parse(Bodies.jsonObject(ctx));
    Conversation conversation = request.conversation();
    int promptTokens = InputTokenEstimator.estimate(conversation, tokens);
    if (contextTokenLimit > 0 && promptTokens > contextTokenLimit) {
      // OpenAI's own wording, which LangChain, Cline and others recognise as context_length_exceeded
      throw GatewayException.badRequest("This model's maximum context length is " + contextTokenLimit
          + " tokens. However, your messages resulted in " + promptTokens + " tokens. Please reduce the length of the messages.");
    }
    QRequest qRequest = builder.build(conversation);
    ChatCompletionTranslator.Header header = new ChatCompletionTranslator.Header(
        "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""), Instant.now().getEpochSecond(), conversation.clientModel());
    exchange.run(ctx, qRequest.body(), () -> new ChatCompletionWriter(ctx.response(), request.stream(), request.includeUsage(),
        (sink, includeUsage) -> new ChatCompletionTranslator(header, promptTokens, includeUsage, conversation.thinking(),
            request.stop(), request.maxTokens(), tokens, qRequest.toolNames(), sink)));
  }
}
