package io.qbridge.account;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusFailure;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * Typed access to {@link AccountPoolVerticle} over the event bus, for HTTP-side code. Stateless and
 * thread-safe; create one per verticle. Futures complete on the caller's context.
 *
 * <p>Every failure is a {@link GatewayException} (see {@link #toGatewayException}); the messages
 * are the pool's client-safe texts.
 */
public final class AccountPoolClient {
  /** A lease may include up to {@value AccountPoolVerticle#MAX_PICKS} token refreshes. */
  public static final long DEFAULT_LEASE_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_TIMEOUT_MS = 15_000;

  private final EventBus bus;
  private final DeliveryOptions leaseOptions;
  private final DeliveryOptions options;

  public AccountPoolClient(Vertx vertx) {
    this(vertx, DEFAULT_LEASE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS);
  }

  /**
   * @param leaseTimeoutMs bus timeout of {@link #lease()}
   * @param timeoutMs      bus timeout of every other call
   */
  public AccountPoolClient(Vertx vertx, long leaseTimeoutMs, long timeoutMs) {
    this.bus = Objects.requireNonNull(vertx, "vertx").eventBus();
    this.leaseOptions = new DeliveryOptions().setSendTimeout(leaseTimeoutMs);
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Leases an account (refreshing its token if needed). Fails 503 when no account is usable. */
  public Future<Lease> lease() {
    return lease(java.util.List.of());
  }

  /**
   * Leases an account other than those in {@code exclude} (the ones a request already tried).
   * Fails 503 when no account is usable (the message says why), or 429 with a retry-after when
   * every usable account is cooling down.
   */
  public Future<Lease> lease(java.util.Collection<String> exclude) {
    JsonObject body = new JsonObject();
    if (!exclude.isEmpty()) body.put("exclude", new JsonArray(java.util.List.copyOf(exclude)));
    return leaseReply(this.<JsonObject>request(Addresses.ACCOUNTS_LEASE, body, leaseOptions));
  }

  /**
   * The upstream rejected the lease's access token: gets the same lease back with a refreshed
   * token (one OIDC call per account however many requests ask at once). Fails 502 when the
   * refresh fails (the pool has then counted it, and disabled the account on invalid_grant).
   */
  public Future<Lease> refreshLease(Lease lease) {
    return leaseReply(this.<JsonObject>request(Addresses.ACCOUNTS_LEASE_REFRESH,
        new JsonObject().put("leaseId", lease.leaseId()), leaseOptions));
  }

  /** Admin: refreshes one account's token now; the account's admin JSON, 404, or 502 with the reason. */
  public Future<JsonObject> refresh(String id) {
    return request(Addresses.ACCOUNTS_REFRESH, new JsonObject().put("id", id), leaseOptions);
  }

  private static Future<Lease> leaseReply(Future<JsonObject> reply) {
    return reply.map(json -> {
      Lease lease = Lease.fromJson(json);
      if (lease.leaseId() == null || lease.accessToken() == null) {
        throw new GatewayException(500, ErrorType.API_ERROR, "Account pool returned an invalid lease");
      }
      return lease;
    });
  }

  /**
   * Releases a lease with the request's outcome. Call exactly once per lease (the pool ignores, and
   * does not count, a second release of the same lease).
   */
  public Future<Void> release(Lease lease, Outcome outcome) {
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", outcome.wire());
    return request(Addresses.ACCOUNTS_RELEASE, body, options).mapEmpty();
  }

  /**
   * Releases a lease whose request failed because of {@code error}: the pool counts an error and
   * applies the kind's {@link io.qbridge.upstream.UpstreamError.AccountAction} (cooldown, park,
   * disable...), or counts nothing for {@code NONE}. Same exactly-once rule as above.
   */
  public Future<Void> release(Lease lease, io.qbridge.upstream.UpstreamError error) {
    var action = error.kind().accountAction();
    if (action == io.qbridge.upstream.UpstreamError.AccountAction.NONE) return release(lease, Outcome.NEUTRAL);
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", Outcome.FAILURE.wire())
        .put("action", action.name().toLowerCase(java.util.Locale.ROOT))
        .put("reason", error.kind().name().toLowerCase(java.util.Locale.ROOT));
    if (error.retryAfterMs() >= 0) body.put("retryAfterMs", error.retryAfterMs());
    return request(Addresses.ACCOUNTS_RELEASE, body, options).mapEmpty();
  }

  /** {@code {db, enabledAccounts, activeLeases}}. */
  public Future<JsonObject> health() {
    return request(Addresses.ACCOUNTS_HEALTH, new JsonObject(), options);
  }

  /** Creates an account from q2api's request shape; returns its admin JSON. */
  public Future<JsonObject> create(JsonObject account) {
    return request(Addresses.ACCOUNTS_CREATE, account, options);
  }

  /** All accounts (admin JSON), newest first. */
  public Future<JsonArray> list() {
    return request(Addresses.ACCOUNTS_LIST, new JsonObject(), options);
  }

  public Future<JsonObject> get(String id) {
    return request(Addresses.ACCOUNTS_GET, new JsonObject().put("id", id), options);
  }

  /** PATCH semantics: only the fields present in {@code patch} change. */
  public Future<JsonObject> update(String id, JsonObject patch) {
    return request(Addresses.ACCOUNTS_UPDATE, new JsonObject().put("id", id).put("patch", patch), options);
  }

  /** {@code {"deleted": true, "id": id}}; fails 404 for an unknown id. */
  public Future<JsonObject> delete(String id) {
    return request(Addresses.ACCOUNTS_DELETE, new JsonObject().put("id", id), options);
  }

  private <T> Future<T> request(String address, JsonObject body, DeliveryOptions deliveryOptions) {
    return bus.<T>request(address, body, deliveryOptions)
        .map(Message::body)
        .recover(err -> Future.failedFuture(toGatewayException(err)));
  }

  /**
   * The single mapping from bus failures to API errors: TIMEOUT → 504, NO_HANDLERS → 503,
   * RECIPIENT_FAILURE → the {@link BusFailure}'s status with its error type, anything else → 500.
   */
  public static GatewayException toGatewayException(Throwable err) {
    if (err instanceof GatewayException g) return g;
    if (!(err instanceof ReplyException re)) {
      return new GatewayException(500, ErrorType.API_ERROR, "Account pool request failed");
    }
    return switch (re.failureType()) {
      case TIMEOUT -> new GatewayException(504, ErrorType.TIMEOUT, "Account pool did not answer in time");
      case NO_HANDLERS -> new GatewayException(503, ErrorType.OVERLOADED, "Account pool is not available");
      case RECIPIENT_FAILURE -> {
        BusFailure failure = BusFailure.of(re.failureCode());
        String message = re.getMessage() == null || re.getMessage().isBlank() ? failure.name() : re.getMessage();
        long retryAfter = -1;
        JsonObject detailed = message.startsWith("{") ? parseObject(message) : null; // see BusFailure.withRetryAfter
        if (detailed != null && detailed.getValue("message") instanceof String m) {
          message = m;
          retryAfter = detailed.getValue("retryAfterSeconds") instanceof Number n ? n.longValue() : -1;
        }
        yield new GatewayException(failure.httpStatus(), errorType(failure), message, retryAfter);
      }
      default -> new GatewayException(500, ErrorType.API_ERROR, "Account pool request failed");
    };
  }

  private static JsonObject parseObject(String text) {
    try {
      return new JsonObject(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  static ErrorType errorType(BusFailure failure) {
    return switch (failure) {
      case BAD_REQUEST, CONFLICT -> ErrorType.INVALID_REQUEST;
      case NOT_FOUND -> ErrorType.NOT_FOUND;
      case NO_ACCOUNT, STORE_UNAVAILABLE -> ErrorType.OVERLOADED;
      case COOLING_DOWN -> ErrorType.RATE_LIMIT;
      // codes added later (by other components) surface as server errors until mapped here
      default -> ErrorType.API_ERROR;
    };
  }
}
