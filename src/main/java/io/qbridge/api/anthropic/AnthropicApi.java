package io.qbridge.api.anthropic;

import io.qbridge.chat.ChatPipeline;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.ApiModule;
import io.qbridge.web.BodyWork;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.ext.web.Router;
import java.util.List;

/** The Anthropic-compatible routes: Messages and count_tokens, errors in Anthropic's shape. */
public final class AnthropicApi implements ApiModule {

  /** {@code {"type":"error","error":{"type":"invalid_request_error","message":"..."}}} */
  public static final ErrorShape ERROR_SHAPE = ErrorShape.ANTHROPIC;

  private final List<String> apiKeys;
  private final ChatPipeline pipeline;
  private final BodyWork bodyWork;

  public AnthropicApi(List<String> apiKeys, ChatPipeline pipeline, BodyWork bodyWork) {
    this.apiKeys = apiKeys;
    this.pipeline = pipeline;
    this.bodyWork = bodyWork;
  }

  @Override
  public ErrorShape errorShape() { return ERROR_SHAPE; }

  @Override
  public boolean serves(String path) { return path.startsWith("/v1/messages"); }

  @Override
  public void mount(Router router) {
    ApiKeyAuth auth = new ApiKeyAuth(apiKeys, ERROR_SHAPE);
    router.route("/v1/messages").handler(RequestFacts.api("anthropic"));
    router.post("/v1/messages").handler(auth).handler(new MessagesHandler(pipeline));
    router.post("/v1/messages/count_tokens").handler(auth).handler(new CountTokensHandler(pipeline.tokens(), bodyWork));
    router.route("/v1/messages*").failureHandler(new FailureHandler(ERROR_SHAPE));
  }
}
