package io.qbridge.api.responses.store;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Typed access to {@link ResponseStoreVerticle} over the event bus, for the HTTP side. JSON is
 * encoded here, on the caller's event loop, into strings the bus passes without copying; a stored
 * conversation comes back as its encoded string, for the caller to decode off the loop. Failures
 * come back as {@link GatewayException}s by the one bus failure table: 404 for an unknown or
 * expired id, 413 for a response too large to keep, 503/504 when the store does not answer.
 */
public final class ResponseStoreClient {

  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;

  public ResponseStoreClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Stores a finished response with the conversation that continues from it. */
  public Future<Void> put(JsonObject response, JsonArray items) {
    JsonObject m = new JsonObject().put("id", response.getString("id"))
        .put("response", response.encode()).put("items", items.encode());
    return request(Addresses.RESPONSES_PUT, m).mapEmpty();
  }

  /** The stored response object. */
  public Future<JsonObject> response(String id) {
    return request(Addresses.RESPONSES_GET, new JsonObject().put("id", id)).map(r -> new JsonObject(r.getString("response")));
  }

  /**
   * The conversation a {@code previous_response_id} continues (input and output items), encoded:
   * it may be megabytes, so the caller decodes it where that cannot stall the event loop.
   */
  public Future<String> encodedItems(String id) {
    return encoded(id).map(Encoded::items);
  }

  /** The stored response object and its conversation, both encoded (see {@link #encodedItems}). */
  public Future<Encoded> encoded(String id) {
    return request(Addresses.RESPONSES_GET, new JsonObject().put("id", id))
        .map(r -> new Encoded(r.getString("response"), r.getString("items")));
  }

  /** A stored response as the store keeps it: JSON text, for the caller to decode off the loop. */
  public record Encoded(String response, String items) {
    public long length() { return (long) response.length() + items.length(); }
  }

  public Future<Void> delete(String id) {
    return request(Addresses.RESPONSES_DELETE, new JsonObject().put("id", id)).mapEmpty();
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return Bus.<JsonObject>request(vertx.eventBus(), address, body, OPTIONS, "Response store")
        .recover(t -> Future.failedFuture(((BusError) t).toGatewayException()));
  }
}
