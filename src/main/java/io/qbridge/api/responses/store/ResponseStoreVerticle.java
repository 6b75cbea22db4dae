package io.qbridge.api.responses.store;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only user of the Responses store: answers {@link ResponseStoreClient} over the event bus and
 * applies the policy. A response lives for the TTL; one larger than the per-response cap is not
 * stored; when the total passes its cap the oldest responses go first. Expired rows are swept
 * periodically and never served. The total is kept in memory (read once at start), so the cap
 * costs no query per write. Time comes from the injected clock.
 */
public final class ResponseStoreVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ResponseStoreVerticle.class);
  static final int EVICTION_BATCH = 16;
  /** Default period of the expiry sweep. */
  public static final long SWEEP_MS = 60_000;

  /** @param sweepMs how often expired rows are deleted */
  public record Settings(String databaseUrl, Duration ttl, long maxBytes, long totalMaxBytes, long sweepMs) {}

  private final Settings settings;
  private final Clock clock;
  private ResponseStore store;
  private long totalBytes;

  public ResponseStoreVerticle(Settings settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return JdbcResponseStore.open(vertx, settings.databaseUrl()).compose(s -> {
      store = s;
      return s.totalBytes();
    }).compose(total -> {
      totalBytes = total;
      vertx.setPeriodic(settings.sweepMs(), id -> sweep());
      var bus = vertx.eventBus();
      return Future.all(
          bus.<JsonObject>consumer(ResponseStoreClient.PUT, m -> reply(m, this::put)).completion(),
          bus.<JsonObject>consumer(ResponseStoreClient.GET, m -> reply(m, this::get)).completion(),
          bus.<JsonObject>consumer(ResponseStoreClient.DELETE, m -> reply(m, this::delete)).completion());
    });
  }

  @Override
  public Future<?> stop() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  private Future<JsonObject> put(JsonObject m) {
    long now = clock.millis();
    StoredResponse r = new StoredResponse(m.getString("id"), now, now + settings.ttl().toMillis(),
        m.getString("response"), m.getString("items"));
    if (r.size() > settings.maxBytes()) {
      return Future.failedFuture(new StoreFailure(413, "response " + r.id() + " is " + r.size()
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
      if (r == null || r.expiresAtMillis() <= clock.millis()) {
        return Future.failedFuture(new StoreFailure(404, "Response with id '" + id + "' not found."));
      }
      return Future.succeededFuture(new JsonObject().put("response", r.response()).put("items", r.items()));
    });
  }

  private Future<JsonObject> delete(JsonObject m) {
    String id = m.getString("id");
    return store.get(id).compose(r -> {
      if (r == null || r.expiresAtMillis() <= clock.millis()) {
        return Future.failedFuture(new StoreFailure(404, "Response with id '" + id + "' not found."));
      }
      return store.delete(id).map(freed -> {
        totalBytes -= freed;
        return new JsonObject();
      });
    });
  }

  private void sweep() {
    store.deleteExpired(clock.millis())
        .onSuccess(freed -> totalBytes -= freed)
        .onFailure(t -> log.warn("sweeping expired responses failed: {}", t.getMessage()));
  }

  private static void reply(Message<JsonObject> m, Function<JsonObject, Future<JsonObject>> op) {
    Future<JsonObject> f;
    try {
      f = op.apply(m.body());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    f.onSuccess(m::reply).onFailure(t -> {
      if (t instanceof StoreFailure s) {
        m.fail(s.code, s.getMessage());
      } else {
        log.warn("response store failure: {}", t.getMessage());
        m.fail(500, "response store failure");
      }
    });
  }

  /** An expected failure with the code the client maps (404 unknown, 413 too large). */
  static final class StoreFailure extends RuntimeException {
    final int code;

    StoreFailure(int code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
