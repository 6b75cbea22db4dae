package io.qbridge.api.openai;

import io.qbridge.chat.ChatPipeline;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/**
 * The OpenAI-compatible routes: Chat Completions and models, errors in OpenAI's shape ({@code
 * /v1/models} answers Anthropic clients in Anthropic's, see {@link ModelsHandler}).
 */
public final class OpenAiApi implements ApiModule {

  private final List<String> apiKeys;
  private final ChatPipeline pipeline;

  public OpenAiApi(List<String> apiKeys, ChatPipeline pipeline) {
    this.apiKeys = apiKeys;
    this.pipeline = pipeline;
  }

  @Override
  public ErrorShape errorShape() { return ErrorShape.OPENAI; }

  @Override
  public boolean serves(String path) { return path.startsWith("/v1/chat/") || path.startsWith("/v1/models"); }

  @Override
  public void mount(Router router) {
    ApiKeyAuth auth = new ApiKeyAuth(apiKeys, ErrorShape.OPENAI);
    ModelsHandler models = new ModelsHandler(pipeline::directory);
    router.route("/v1/chat/completions").handler(RequestFacts.api("openai"));
    router.post("/v1/chat/completions").handler(auth).handler(new ChatCompletionsHandler(pipeline));
    FailureHandler failures = new FailureHandler(ErrorShape.OPENAI);
    router.route("/v1/chat/completions").failureHandler(failures);
    // /v1/models serves both families: Anthropic clients (anthropic-version) get their own error shape
    ApiKeyAuth anthropicAuth = new ApiKeyAuth(apiKeys, ErrorShape.ANTHROPIC);
    FailureHandler anthropicFailures = new FailureHandler(ErrorShape.ANTHROPIC);
    Handler<RoutingContext> modelsAuth = ctx -> (ModelsHandler.anthropicClient(ctx) ? anthropicAuth : auth).handle(ctx);
    router.get("/v1/models").handler(modelsAuth).handler(models::list);
    router.get("/v1/models/:id").handler(modelsAuth).handler(models::get);
    router.route("/v1/models*").failureHandler(ctx -> (ModelsHandler.anthropicClient(ctx) ? anthropicFailures : failures).handle(ctx));
  }
}
