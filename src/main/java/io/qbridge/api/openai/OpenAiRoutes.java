package io.qbridge.api.openai;

import io.qbridge.config.AppConfig;
import io.qbridge.http.ApiKeyAuth;
import io.qbridge.http.ChatPipeline;
import io.qbridge.http.ErrorShape;
import io.qbridge.http.FailureHandler;
import io.vertx.ext.web.Router;

/** The OpenAI-compatible routes, errors in OpenAI's shape. */
public final class OpenAiRoutes {

  private OpenAiRoutes() {}

  public static void mount(Router router, AppConfig config, ChatPipeline pipeline) {
    ApiKeyAuth auth = new ApiKeyAuth(config.apiKeys(), ErrorShape.OPENAI);
    ModelsHandler models = new ModelsHandler();
    router.post("/v1/chat/completions").handler(auth)
        .handler(new ChatCompletionsHandler(pipeline));
    router.get("/v1/models").handler(auth).handler(models::list);
    router.get("/v1/models/:id").handler(auth).handler(models::get);
    FailureHandler failures = new FailureHandler(ErrorShape.OPENAI);
    router.route("/v1/chat/completions").failureHandler(failures);
    router.route("/v1/models*").failureHandler(failures);
  }
}
