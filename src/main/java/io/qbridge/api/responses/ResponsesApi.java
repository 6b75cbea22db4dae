package io.qbridge.api.responses;

import io.qbridge.chat.ChatPipeline;
import io.qbridge.responsestore.ResponseStoreClient;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/** The OpenAI Responses API routes, errors in OpenAI's shape. */
public final class ResponsesApi implements ApiModule {

  /** OpenAI's error shape, which the Responses API shares: {@code {"error":{"message","type","param","code"}}}. */
  public static final ErrorShape ERROR_SHAPE = (type, message) -> new JsonObject().put("error", new JsonObject()
      .put("message", message).put("type", type.openai()).putNull("param").put("code", type.openai()));

  private final List<String> apiKeys;
  private final ChatPipeline pipeline;
  private final ResponseStoreClient store;

  public ResponsesApi(List<String> apiKeys, ChatPipeline pipeline, ResponseStoreClient store) {
    this.apiKeys = apiKeys;
    this.pipeline = pipeline;
    this.store = store;
  }

  @Override
  public void mount(Router router) {
    ApiKeyAuth auth = new ApiKeyAuth(apiKeys, ERROR_SHAPE);
    ResponsesHandler handler = new ResponsesHandler(pipeline, store);
    router.post("/v1/responses").handler(auth).handler(handler::create);
    router.get("/v1/responses/:id").handler(auth).handler(handler::get);
    router.delete("/v1/responses/:id").handler(auth).handler(handler::delete);
    router.route("/v1/responses*").failureHandler(new FailureHandler(ERROR_SHAPE));
  }
}
