package io.qbridge.api.openai;

import io.qbridge.chat.ChatPipeline;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.ext.web.Router;
import java.util.List;

/** The OpenAI-compatible routes: Chat Completions and models, errors in OpenAI's shape. */
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
    router.get("/v1/models").handler(auth).handler(models::list);
    router.get("/v1/models/:id").handler(auth).handler(models::get);
    FailureHandler failures = new FailureHandler(ErrorShape.OPENAI);
    router.route("/v1/chat/completions").failureHandler(failures);
    router.route("/v1/models*").failureHandler(failures);
  }
}
