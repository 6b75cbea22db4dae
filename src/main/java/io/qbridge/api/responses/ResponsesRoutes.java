package io.qbridge.api.responses;

import io.qbridge.api.responses.store.ResponseStoreClient;
import io.qbridge.config.AppConfig;
import io.qbridge.http.ApiKeyAuth;
import io.qbridge.http.ChatPipeline;
import io.qbridge.http.ErrorShape;
import io.qbridge.http.FailureHandler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The Responses API routes, errors in OpenAI's shape. */
public final class ResponsesRoutes {

  private ResponsesRoutes() {}

  public static void mount(Router router, Vertx vertx, AppConfig config, ChatPipeline pipeline) {
    ApiKeyAuth auth = new ApiKeyAuth(config.apiKeys(), ErrorShape.OPENAI);
    ResponsesHandler handler = new ResponsesHandler(pipeline, new ResponseStoreClient(vertx));
    router.post("/v1/responses").handler(auth).handler(handler::create);
    router.get("/v1/responses/:id").handler(auth).handler(handler::get);
    router.delete("/v1/responses/:id").handler(auth).handler(handler::delete);
    router.route("/v1/responses*").failureHandler(new FailureHandler(ErrorShape.OPENAI));
  }
}
