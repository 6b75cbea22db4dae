package io.qbridge.api.responses.store;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Vertx;
import java.util.function.Function;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only user of the Responses store: answers {@link ResponseStoreClient} over the event bus and
 * applies the policy. A response lives for the TTL; one larger than the per-response cap is not
 * stored; when the total passes its cap the oldest responses go first. Expired rows are swept
 * periodically and never served. The total is kept in memory (read once at start), so the cap
 * costs no query per write. Time and the sweep timer come from the injected Timekeeper.
 */
public final class ResponseStoreVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ResponseStoreVerticle.class);
  static final int EVICTION_BATCH = 16;
  /** Default period of the expiry sweep. */
  public static final long SWEEP_MS = 60_000;

  /** @param sweepMs how often expired rows are deleted */
  public record Settings(String databaseUrl, Duration ttl, long maxBytes, long totalMaxBytes, long sweepMs) {}

  private final Settings settings;
  private final Function<Vertx, Timekeeper> timekeeper;
  private Timekeeper time;
  private ResponseStore store;
  private long totalBytes;

  /** @param timekeeper this verticle's time source and timers, given its Vert.x (tests pass a manual one) */
  public ResponseStoreVerticle(Settings settings, Function<Vertx, Timekeeper> timekeeper) {
    this.settings = settings;
    this.timekeeper = timekeeper;
  }

  @Override
  public Future<?> start() {
    time = timekeeper.apply(vertx);
    return JdbcResponseStore.open(vertx, settings.databaseUrl()).compose(s -> {
      store = s;
      return s.totalBytes();
    }).compose(total -> {
      totalBytes = total;
      time.setPeriodic(settings.sweepMs(), id -> sweep());
      return Future.all(
          Bus.consume(vertx, Addresses.RESPONSES_PUT, this::put),
          Bus.consume(vertx, Addresses.RESPONSES_GET, this::get),
          Bus.consume(vertx, Addresses.RESPONSES_DELETE, this::delete));
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  private Future<JsonObject> put(JsonObject m) {
    long now = time.now().toEpochMilli();
    StoredResponse r = new StoredResponse(m.getString("id"), now, now + settings.ttl().toMillis(),
        m.getString("response"), m.getString("items"));
    if (r.size() > settings.maxBytes()) {
      return Future.failedFuture(new BusError(BusFailure.TOO_LARGE, "response " + r.id() + " is " + r.size()
          + " bytes, over RESPONSES_MAX_BYTES (" + settings.maxBytes() + "): not stored"));
    }
    return store.put(r).compose(v -> {
      totalBytes += r.size();
      return evictOverCap();
    }).map(v -> new JsonObject());
  }

  /** Oldest first, until the total fits again. */
  private Future<Void> evictOverCap() {
    if (totalBytes <= settings.totalMaxBytes()) return Future.succeededFuture();
    return store.deleteOldest(totalBytes - settings.totalMaxBytes(), EVICTION_BATCH).compose(freed -> {
      totalBytes -= freed;
      return freed == 0 ? Future.succeededFuture() : evictOverCap();
    });
  }

  private Future<JsonObject> get(JsonObject m) {
    String id = m.getString("id");
    return store.get(id).compose(r -> {
      if (r == null || r.expiresAtMillis() <= time.now().toEpochMilli()) {
        return Future.failedFuture(new BusError(BusFailure.NOT_FOUND, "Response with id '" + id + "' not found."));
      }
      return Future.succeededFuture(new JsonObject().put("response", r.response()).put("items", r.items()));
    });
  }

  private Future<JsonObject> delete(JsonObject m) {
    String id = m.getString("id");
    return store.get(id).compose(r -> {
      if (r == null || r.expiresAtMillis() <= time.now().toEpochMilli()) {
        return Future.failedFuture(new BusError(BusFailure.NOT_FOUND, "Response with id '" + id + "' not found."));
      }
      return store.delete(id).map(freed -> {
        totalBytes -= freed;
        return new JsonObject();
      });
    });
  }

  private void sweep() {
    store.deleteExpired(time.now().toEpochMilli())
        .onSuccess(freed -> totalBytes -= freed)
        .onFailure(t -> log.warn("sweeping expired responses failed: {}", t.getMessage()));
  }
}
