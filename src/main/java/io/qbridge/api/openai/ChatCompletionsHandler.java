package io.qbridge.api.openai;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerWriter;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.ids.RandomIds;
import io.qbridge.routing.ConversationKeys;
import io.qbridge.convert.Conversation;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

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
    return new Call(request, pipeline.prepare(request.conversation(), ConversationKeys.fromChatCompletions(body),
        (tokens, limit) -> "This model's maximum context length is " + limit + " tokens. However, your messages resulted in " + tokens
        + " tokens. Please reduce the length of the messages."));
  }

  private void run(RoutingContext ctx, ChatRequest request, ChatPipeline.Prepared p) {
    Conversation conversation = p.conversation();
    ChatCompletionChunkEncoder.Header header = new ChatCompletionChunkEncoder.Header(
        "chatcmpl-" + RandomIds.hex32(), Instant.now().getEpochSecond(), conversation.clientModel());
    AnswerPolicy policy = new AnswerPolicy(p.inputTokens(), pipeline.tokens(), conversation.thinking(),
        p.model().clampMaxTokens(request.maxTokens()), request.stop(), p.request().toolNames(), p.model().contextWindow());
    pipeline.run(ctx, p, () -> request.stream()
        ? AnswerWriter.streaming(ctx.response(), policy, out -> new ChatCompletionChunkEncoder(header, request.includeUsage(), out))
        : AnswerWriter.whole(ctx.response(), policy, new ChatCompletionAccumulator(header)));
  }
}
