package io.qbridge.api.responses.store;

import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Typed access to {@link ResponseStoreVerticle} over the event bus, for the HTTP side. JSON is
 * encoded here, on the caller's event loop, into strings the bus passes without copying. Failures
 * come back as {@link GatewayException}s: 404 for an unknown or expired id, 503 when the store
 * does not answer.
 */
public final class ResponseStoreClient {

  public static final String PUT = "responses.put";
  public static final String GET = "responses.get";
  public static final String DELETE = "responses.delete";
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;

  public ResponseStoreClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Stores a finished response with the conversation that continues from it. */
  public Future<Void> put(JsonObject response, JsonArray items) {
    JsonObject m = new JsonObject().put("id", response.getString("id"))
        .put("response", response.encode()).put("items", items.encode());
    return request(PUT, m).mapEmpty();
  }

  /** The stored response object. */
  public Future<JsonObject> response(String id) {
    return request(GET, new JsonObject().put("id", id)).map(r -> new JsonObject(r.getString("response")));
  }

  /** The conversation a {@code previous_response_id} continues: input and output items. */
  public Future<JsonArray> items(String id) {
    return request(GET, new JsonObject().put("id", id)).map(r -> new JsonArray(r.getString("items")));
  }

  public Future<Void> delete(String id) {
    return request(DELETE, new JsonObject().put("id", id)).mapEmpty();
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, OPTIONS)
        .map(reply -> reply.body())
        .recover(t -> Future.failedFuture(map(t)));
  }

  private static GatewayException map(Throwable t) {
    if (t instanceof ReplyException r && r.failureCode() == 404) return GatewayException.notFound(r.getMessage());
    if (t instanceof ReplyException r && r.failureCode() == 413) {
      return new GatewayException(413, ErrorType.REQUEST_TOO_LARGE, r.getMessage());
    }
    return new GatewayException(503, ErrorType.OVERLOADED, "the response store is not available");
  }
}
