package io.qbridge.api.anthropic;

import io.qbridge.web.Bodies;
import io.qbridge.chat.ChatPipeline;
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
    pipeline.run(ctx, p, () -> new ClaudeResponseWriter(ctx.response(), stream, messageId,
        p.conversation().clientModel(), p.inputTokens(), pipeline.tokens(), p.conversation().thinking(),
        p.request().toolNames(), maxTokens, stopSequences));
  }
}
