package io.qbridge.api.responses;

import io.qbridge.api.responses.store.ResponseStoreClient;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.config.AppConfig;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;

/** The OpenAI Responses API routes, errors in OpenAI's shape. */
public final class ResponsesApi implements ApiModule {

  private final Vertx vertx;
  private final AppConfig config;
  private final ChatPipeline pipeline;

  public ResponsesApi(Vertx vertx, AppConfig config, ChatPipeline pipeline) {
    this.vertx = vertx;
    this.config = config;
    this.pipeline = pipeline;
  }

  @Override
  public ErrorShape errorShape() { return ErrorShape.OPENAI; }

  @Override
  public boolean serves(String path) { return path.startsWith("/v1/responses"); }

  @Override
  public void mount(Router router) {
    ApiKeyAuth auth = new ApiKeyAuth(config.http().apiKeys(), ErrorShape.OPENAI);
    ResponsesHandler handler = new ResponsesHandler(pipeline, new ResponseStoreClient(vertx));
    router.route("/v1/responses").handler(RequestFacts.api("responses"));
    router.post("/v1/responses").handler(auth).handler(handler::create);
    router.get("/v1/responses/:id").handler(auth).handler(handler::get);
    router.get("/v1/responses/:id/input_items").handler(auth).handler(handler::inputItems);
    router.delete("/v1/responses/:id").handler(auth).handler(handler::delete);
    router.route("/v1/responses*").failureHandler(new FailureHandler(ErrorShape.OPENAI));
  }
}
