package io.qbridge.api.anthropic;

import io.qbridge.answer.AnswerPolicy;
import io.qbridge.answer.AnswerWriter;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.web.Bodies;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.UUID;

/** {@code POST /v1/messages}: Anthropic Messages API on top of Amazon Q. */
public final class MessagesHandler implements Handler<RoutingContext> {

  private final ChatPipeline pipeline;

  public MessagesHandler(ChatPipeline pipeline) {
    this.pipeline = pipeline;
  }

  @Override
  public void handle(RoutingContext ctx) {
    JsonObject body = Bodies.jsonObject(ctx);
    // Anthropic's own wording, which Claude Code and others recognise and answer by compacting
    ChatPipeline.Prepared p = pipeline.prepare(ClaudeRequestParser.parse(body),
        tokens -> "prompt is too long: " + tokens + " tokens > " + pipeline.contextTokenLimit() + " maximum");
    boolean stream = Boolean.TRUE.equals(body.getValue("stream"));
    String messageId = "msg_" + UUID.randomUUID().toString().replace("-", "");
    int maxTokens = body.getValue("max_tokens") instanceof Number n ? n.intValue() : 0;
    List<String> stopSequences = ClaudeRequestParser.stopSequences(body);
    AnswerPolicy policy = new AnswerPolicy(p.inputTokens(), pipeline.tokens(), p.conversation().thinking(),
        maxTokens, stopSequences, p.request().toolNames());
    String model = p.conversation().clientModel();
    pipeline.run(ctx, p, () -> stream
        ? AnswerWriter.streaming(ctx.response(), policy, out -> new ClaudeStreamEncoder(messageId, model, p.inputTokens(), out))
        : AnswerWriter.whole(ctx.response(), policy, new ClaudeMessageAccumulator(messageId, model)));
  }
}
