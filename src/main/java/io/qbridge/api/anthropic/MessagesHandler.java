package io.qbridge.api.anthropic;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerWriter;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.ids.RandomIds;
import io.qbridge.routing.ConversationKeys;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** {@code POST /v1/messages}: Anthropic Messages API on top of Amazon Q. */
public final class MessagesHandler implements Handler<RoutingContext> {

  private final ChatPipeline pipeline;

  public MessagesHandler(ChatPipeline pipeline) {
    this.pipeline = pipeline;
  }

  /** What the exchange needs from the body, prepared off the event loop when the body is large. */
  private record Call(ChatPipeline.Prepared p, boolean stream, int maxTokens, List<String> stopSequences) {}

  @Override
  public void handle(RoutingContext ctx) {
    pipeline.parse(ctx, this::prepare).onSuccess(call -> run(ctx, call)).onFailure(ctx::fail);
  }

  private Call prepare(JsonObject body) {
    // Anthropic's own wording, which Claude Code and others recognise and answer by compacting
    ChatPipeline.Prepared p = pipeline.prepare(ClaudeRequestParser.parse(body), ConversationKeys.fromClaude(body),
        (tokens, limit) -> "prompt is too long: " + tokens + " tokens > " + limit + " maximum");
    return new Call(p, Boolean.TRUE.equals(body.getValue("stream")),
        body.getValue("max_tokens") instanceof Number n ? n.intValue() : 0, ClaudeRequestParser.stopSequences(body));
  }

  private void run(RoutingContext ctx, Call call) {
    ChatPipeline.Prepared p = call.p();
    String messageId = "msg_" + RandomIds.hex32();
    AnswerPolicy policy = new AnswerPolicy(p.inputTokens(), pipeline.tokens(), p.conversation().thinking(),
        p.model().clampMaxTokens(call.maxTokens()), call.stopSequences(), p.request().toolNames(), p.model().contextWindow());
    String model = p.conversation().clientModel();
    pipeline.run(ctx, p, () -> call.stream()
        ? AnswerWriter.streaming(ctx.response(), policy, out -> new ClaudeStreamEncoder(messageId, model, p.inputTokens(), out))
        : AnswerWriter.whole(ctx.response(), policy, new ClaudeMessageAccumulator(messageId, model)));
  }
}
