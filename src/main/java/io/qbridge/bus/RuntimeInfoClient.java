package io.qbridge.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Typed client of {@link Addresses#UPSTREAM_MODELS_LIST} and {@link Addresses#UPSTREAM_USAGE_GET},
 * for the account pool. The reply is either the data or a failure description; a bus failure (no
 * upstream verticle, timeout) becomes a failure description too, so the caller has one path.
 */
public final class RuntimeInfoClient {
  public static final long TIMEOUT_MS = 30_000;
  private static final String SERVICE = "Upstream runtime calls";

  /** {@code data} is the catalog or usage JSON; or {@code failure} (upper-case category) and {@code summary}. */
  public record Reply(JsonObject data, String failure, String summary) {
    public boolean ok() { return data != null; }
  }

  /** The failure of a call nobody served (no upstream verticle deployed): nothing was learnt, nothing to record. */
  public static final String NO_UPSTREAM = "NO_UPSTREAM";

  private final EventBus bus;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);

  public RuntimeInfoClient(Vertx vertx) {
    this.bus = vertx.eventBus();
  }

  public Future<Reply> models(String accessToken) {
    return call(Addresses.UPSTREAM_MODELS_LIST, "catalog", accessToken);
  }

  public Future<Reply> usage(String accessToken) {
    return call(Addresses.UPSTREAM_USAGE_GET, "usage", accessToken);
  }

  private Future<Reply> call(String address, String key, String accessToken) {
    return Bus.<Object>request(bus, address, new JsonObject().put("accessToken", accessToken), options, SERVICE)
        .map(body -> {
          JsonObject o = body instanceof JsonObject j ? j : new JsonObject();
          if (o.getValue(key) instanceof JsonObject data) return new Reply(data, null, null);
          return new Reply(null, o.getString("failure", "REJECTED"), o.getString("summary", "no answer"));
        })
        .otherwise(t -> new Reply(null, t instanceof BusError b && b.failure() == BusFailure.UNAVAILABLE ? NO_UPSTREAM : "UNREACHABLE",
            String.valueOf(t.getMessage())));
  }
}
