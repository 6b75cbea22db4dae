package io.qbridge.api.openai;

import io.qbridge.convert.Conversation;
import io.qbridge.http.ChatPipeline;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.UUID;

/** {@code POST /v1/chat/completions}: OpenAI Chat Completions on top of Amazon Q. */
public final class ChatCompletionsHandler implements Handler<RoutingContext> {

  private final ChatPipeline pipeline;

  public ChatCompletionsHandler(ChatPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** The parsed request and its prepared conversation, built off the event loop when the body is large. */
  private record Call(ChatRequest request, ChatPipeline.Prepared p) {}

  @Override
  public void handle(RoutingContext ctx) {
    pipeline.parse(ctx, this::prepare).onSuccess(call -> run(ctx, call.request(), call.p())).onFailure(ctx::fail);
  }

  private Call prepare(io.vertx.core.json.JsonObject body) {
    ChatRequest request = ChatRequestParser.parse(body);
    // OpenAI's own wording, which LangChain, Cline and others recognise as context_length_exceeded
    return new Call(request, pipeline.prepare(request.conversation(), tokens -> "This model's maximum context length is "
        + pipeline.contextTokenLimit() + " tokens. However, your messages resulted in " + tokens
        + " tokens. Please reduce the length of the messages."));
  }

  private void run(RoutingContext ctx, ChatRequest request, ChatPipeline.Prepared p) {
    Conversation conversation = p.conversation();
    ChatCompletionTranslator.Header header = new ChatCompletionTranslator.Header(
        "chatcmpl-" + UUID.randomUUID().toString().replace("-", ""), Instant.now().getEpochSecond(), conversation.clientModel());
    pipeline.run(ctx, p, () -> new ChatCompletionWriter(ctx.response(), request.stream(), request.includeUsage(),
        (sink, includeUsage) -> new ChatCompletionTranslator(header, p.inputTokens(), includeUsage, conversation.thinking(),
            request.stop(), request.maxTokens(), pipeline.tokens(), p.request().toolNames(), sink)));
  }
}
