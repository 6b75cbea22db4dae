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
    return this.<JsonObject>request(Addresses.ACCOUNTS_LEASE, new JsonObject(), leaseOptions).map(json -> {
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
        yield new GatewayException(failure.httpStatus(), errorType(failure), message);
      }
      default -> new GatewayException(500, ErrorType.API_ERROR, "Account pool request failed");
    };
  }

  static ErrorType errorType(BusFailure failure) {
    return switch (failure) {
      case BAD_REQUEST, CONFLICT -> ErrorType.INVALID_REQUEST;
      case NOT_FOUND -> ErrorType.NOT_FOUND;
      case NO_ACCOUNT, STORE_UNAVAILABLE -> ErrorType.OVERLOADED;
      // codes added later (by other components) surface as server errors until mapped here
      default -> ErrorType.API_ERROR;
    };
  }
}
