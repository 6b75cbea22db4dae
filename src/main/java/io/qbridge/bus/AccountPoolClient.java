package io.qbridge.bus;

import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Typed client of the account pool's {@code accounts.*} addresses, for HTTP-side and upstream
 * code. Stateless and thread-safe; create one per verticle. Futures complete on the caller's
 * context.
 *
 * <p>Every failure is a {@link GatewayException} made by {@link BusError#toGatewayException()}
 * (the {@link BusFailure} table); the messages are the pool's client-safe texts.
 */
public final class AccountPoolClient {
  /** A lease may include up to three token refreshes (one per account tried). */
  public static final long DEFAULT_LEASE_TIMEOUT_MS = 60_000;
  public static final long DEFAULT_TIMEOUT_MS = 15_000;
  private static final String SERVICE = "Account pool";

  private final EventBus bus;
  private final DeliveryOptions leaseOptions;
  private final DeliveryOptions options;

  public AccountPoolClient(Vertx vertx) {
    this(vertx, DEFAULT_LEASE_TIMEOUT_MS, DEFAULT_TIMEOUT_MS);
  }

  /**
   * @param leaseTimeoutMs bus timeout of {@link #lease} and the refreshes
   * @param timeoutMs      bus timeout of every other call
   */
  public AccountPoolClient(Vertx vertx, long leaseTimeoutMs, long timeoutMs) {
    this.bus = Objects.requireNonNull(vertx, "vertx").eventBus();
    this.leaseOptions = new DeliveryOptions().setSendTimeout(leaseTimeoutMs);
    this.options = new DeliveryOptions().setSendTimeout(timeoutMs);
  }

  /** Leases an account (refreshing its token if needed). Fails 503 when no account is usable. */
  public Future<Lease> lease() {
    return lease(List.of());
  }

  /**
   * Leases an account other than those in {@code exclude} (the ones a request already tried).
   * Fails 503 when no account is usable (the message says why), or 429 with a retry-after when
   * every usable account is cooling down.
   */
  public Future<Lease> lease(Collection<String> exclude) {
    return lease(exclude, null, null);
  }

  /**
   * As {@link #lease(Collection)}, only on an account whose catalog has {@code model} (a catalog
   * id; {@code null}: any), preferring the account bound to {@code conversationKey} (already
   * hashed; {@code null}: not sticky).
   */
  public Future<Lease> lease(Collection<String> exclude, String model, String conversationKey) {
    return lease(exclude, model, conversationKey, null);
  }

  /**
   * As {@link #lease(Collection, String, String)}, also binding {@code followUpKey} (hashed;
   * {@code null}: none) to the leased account: the key a later request continuing this one will
   * carry (a Responses {@code previous_response_id} naming the response being made).
   */
  public Future<Lease> lease(Collection<String> exclude, String model, String conversationKey, String followUpKey) {
    JsonObject body = new JsonObject();
    if (!exclude.isEmpty()) body.put("exclude", new JsonArray(List.copyOf(exclude)));
    if (model != null) body.put("model", model);
    if (conversationKey != null) body.put("conversationKey", conversationKey);
    if (followUpKey != null) body.put("followUpKey", followUpKey);
    return leaseReply(this.<JsonObject>request(Addresses.ACCOUNTS_LEASE, body, leaseOptions));
  }

  /**
   * Releases a lease whose request Amazon Q refused with {@code INVALID_MODEL_ID}: nothing is
   * counted, and {@code model} leaves the account's catalog.
   */
  public void releaseRejectedModel(Lease lease, String model) {
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", Outcome.FAILURE.wire())
        .put("action", AccountAction.NONE.wire()).put("reason", "invalid_model").put("model", model);
    send(Addresses.ACCOUNTS_RELEASE, body);
  }

  /** The current model directory (JSON of {@code catalog.ModelDirectory}). */
  public Future<JsonObject> modelDirectory() {
    return request(Addresses.MODELS_DIRECTORY, new JsonObject(), options);
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
   * Releases a lease with the request's outcome, one way (see {@link #send}). Call exactly once per
   * lease (the pool ignores, and does not count, a second release of the same lease).
   */
  public void release(Lease lease, Outcome outcome) {
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", outcome.wire());
    send(Addresses.ACCOUNTS_RELEASE, body);
  }

  /**
   * Releases a lease whose request failed: the pool counts an error and applies {@code action}
   * (cooldown, park, disable...); {@link AccountAction#NONE} counts nothing (a neutral release).
   * Same exactly-once rule as above.
   *
   * @param reason       a short machine word kept with a hold or a disable ({@code throttled}, ...)
   * @param retryAfterMs the upstream's retry-after, negative for none
   */
  public void release(Lease lease, AccountAction action, String reason, long retryAfterMs) {
    if (action == AccountAction.NONE) {
      release(lease, Outcome.NEUTRAL);
      return;
    }
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", Outcome.FAILURE.wire())
        .put("action", action.wire()).put("reason", reason);
    if (retryAfterMs >= 0) body.put("retryAfterMs", retryAfterMs);
    send(Addresses.ACCOUNTS_RELEASE, body);
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

  /**
   * One way: releases are the second bus message of every chat request, and nobody acts on their
   * reply (the pool logs its own failures). Without a reply there is no reply handler to register
   * and no timeout timer per request. The pool handles the messages of one sender in order, so a
   * request this client sends afterwards (a lease, an account read) finds the release applied.
   */
  private void send(String address, JsonObject body) {
    Bus.send(bus, address, body);
  }

  private <T> Future<T> request(String address, JsonObject body, DeliveryOptions deliveryOptions) {
    return Bus.<T>request(bus, address, body, deliveryOptions, SERVICE)
        .recover(err -> Future.failedFuture(((BusError) err).toGatewayException()));
  }
}
