package io.qbridge.account;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account pool: the only owner of the {@link AccountStore}. Everything else talks to it over
 * the event bus (use {@link AccountPoolClient}). Deploy exactly <b>one</b> instance: live leases
 * and in-flight refreshes are kept in memory, touched only on this verticle's event loop.
 *
 * <p>Bus contract (request bodies are JSON objects; failures are {@code message.fail(code, text)}
 * with {@link BusFailure} codes and client-safe text):
 * <pre>
 * accounts.lease   {}                                   → {leaseId, accountId, label, accessToken}
 *                  NO_ACCOUNT "No enabled account available" | REFRESH_FAILED | STORE_UNAVAILABLE
 * accounts.release {leaseId, outcome: success|failure|neutral} → {released: true|false}
 *                  (false: unknown or already released lease, nothing counted)
 * accounts.create  {label?, clientId, clientSecret, refreshToken, accessToken?, other?, enabled?} → account
 * accounts.list    {}                                   → [account...] newest first
 * accounts.get     {id}                                 → account | NOT_FOUND
 * accounts.update  {id, patch: {any create field}}      → account | NOT_FOUND
 * accounts.delete  {id}                                 → {deleted: true, id} | NOT_FOUND
 * accounts.health  {}                                   → {db: bool, enabledAccounts: n, activeLeases: n}
 * </pre>
 * Invalid bodies fail with BAD_REQUEST naming the field. "account" is the admin JSON of
 * {@link AccountJson} (no secrets).
 *
 * <p>Lease policy: up to {@value #MAX_PICKS} distinct random enabled accounts holding a token are
 * tried in turn. An account whose access token is missing, or expires within
 * {@link #REFRESH_MARGIN}, is first refreshed through {@code upstream.token.refresh}
 * ({@code {accountId, clientId, clientSecret, refreshToken}} → {@code {accessToken,
 * refreshToken?, expiresIn}}); concurrent leases of one account share one refresh (single flight).
 * A refresh failure reported by the refresher (or a timeout) sets {@code last_refresh_status =
 * failed} and counts one failure; {@link BusFailure#INVALID_GRANT} also disables the account with
 * {@code other.disabledReason = "invalid_grant"}; a missing refresher (NO_HANDLERS) blames no account.
 */
public final class AccountPoolVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPoolVerticle.class);

  /** Accounts tried per lease. */
  static final int MAX_PICKS = 3;
  /** Tokens expiring within this margin are refreshed before they are lent. */
  static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);
  /**
   * Lifetime assumed for an access token of unknown expiry (given by an admin, or a q2api row
   * without {@code expires_at}), counted from its last successful refresh, else from creation:
   * q2api's own refresh age (1500 s).
   */
  static final Duration ASSUMED_TOKEN_LIFETIME = Duration.ofSeconds(1500);
  /** q2api's default when the refresh reply has no {@code expiresIn}. */
  static final long DEFAULT_EXPIRES_IN_SECONDS = 3600;
  /** Bus timeout of one refresh call. */
  static final long REFRESH_TIMEOUT_MS = 20_000;
  /** No further account is tried after this much time, so a lease ends before the client's timeout. */
  static final long LEASE_BUDGET_MS = 30_000;
  /** Leases never released after this long are dropped (a leak; logged). */
  static final long LEASE_MAX_AGE_MS = Duration.ofHours(1).toMillis();
  static final long SWEEP_INTERVAL_MS = 60_000;

  private final AppConfig config;
  private final Map<String, LiveLease> leases = new HashMap<>();
  private final Map<String, Future<Account>> refreshes = new HashMap<>();
  private AccountStore store;
  private long sweepTimer = -1;

  private record LiveLease(String accountId, long leasedAtMillis) {}

  private record Tokens(String accessToken, String refreshToken, long expiresInSeconds) {}

  public AccountPoolVerticle(AppConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Opens the store (schema created/migrated), then registers the consumers; fails if either fails. */
  @Override
  public Future<?> start() {
    return AccountStores.create(vertx, config)
        .compose(opened -> {
          store = opened;
          return registerConsumers();
        })
        .onSuccess(v -> sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweepLeakedLeases()))
        .recover(err -> closeStore().transform(ignored -> Future.failedFuture(err)));
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
    return closeStore();
  }

  private Future<Void> closeStore() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  private Future<Void> registerConsumers() {
    return Future.all(List.of(
        consume(Addresses.ACCOUNTS_LEASE, this::lease),
        consume(Addresses.ACCOUNTS_RELEASE, this::release),
        consume(Addresses.ACCOUNTS_CREATE, this::create),
        consume(Addresses.ACCOUNTS_LIST, this::list),
        consume(Addresses.ACCOUNTS_GET, this::get),
        consume(Addresses.ACCOUNTS_UPDATE, this::update),
        consume(Addresses.ACCOUNTS_DELETE, this::delete),
        consume(Addresses.ACCOUNTS_HEALTH, this::health))).mapEmpty();
  }

  private Future<Void> consume(String address, Function<JsonObject, Future<?>> handler) {
    return vertx.eventBus().<Object>consumer(address, msg -> dispatch(msg, handler)).completion();
  }

  private void dispatch(Message<Object> msg, Function<JsonObject, Future<?>> handler) {
    Future<?> result;
    try {
      result = handler.apply(requestBody(msg.body()));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onSuccess(msg::reply).onFailure(err -> replyFailure(msg, err));
  }

  private static JsonObject requestBody(Object body) {
    if (body == null) return new JsonObject();
    if (body instanceof JsonObject json) return json;
    throw PoolFailure.badRequest("Message body must be a JSON object");
  }

  private void replyFailure(Message<?> msg, Throwable err) {
    if (err instanceof PoolFailure f) {
      msg.fail(f.failure().code(), f.getMessage());
    } else if (err instanceof StoreException) {
      LOG.error("{}: {}", msg.address(), err.getMessage());
      msg.fail(BusFailure.STORE_UNAVAILABLE.code(), "Account store unavailable");
    } else {
      LOG.error("{}: unexpected failure", msg.address(), err);
      msg.fail(BusFailure.INTERNAL.code(), "Internal account pool error");
    }
  }

  // ---- lease / release ----

  private Future<JsonObject> lease(JsonObject body) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE_BUDGET_MS);
    return store.findLeaseCandidates(MAX_PICKS)
        .compose(candidates -> candidates.isEmpty()
            ? Future.failedFuture(PoolFailure.noAccount())
            : firstUsable(candidates, 0, deadline, null))
        .map(this::grant);
  }

  /** The first candidate, from {@code index} on, whose token is fresh or could be refreshed. */
  private Future<Account> firstUsable(List<Account> candidates, int index, long deadline, Throwable lastError) {
    if (index >= candidates.size() || (index > 0 && System.nanoTime() - deadline > 0)) {
      boolean explained = lastError instanceof PoolFailure || lastError instanceof StoreException;
      return Future.failedFuture(explained ? lastError : refreshFailed(false));
    }
    return withFreshToken(candidates.get(index))
        .recover(err -> firstUsable(candidates, index + 1, deadline, err));
  }

  private JsonObject grant(Account account) {
    String leaseId = UUID.randomUUID().toString();
    leases.put(leaseId, new LiveLease(account.id(), System.currentTimeMillis()));
    return new Lease(leaseId, account.id(), account.label(), account.accessToken()).toJson();
  }

  private Future<JsonObject> release(JsonObject body) {
    String leaseId = AccountRequests.requiredText(body, "leaseId");
    Outcome outcome = Outcome.fromWire(body.getValue("outcome"));
    if (outcome == null) throw PoolFailure.badRequest("Field 'outcome' must be one of success, failure, neutral");
    LiveLease lease = leases.remove(leaseId);
    if (lease == null) return Future.succeededFuture(new JsonObject().put("released", false));
    Future<Void> bookkeeping = switch (outcome) {
      case SUCCESS -> store.recordSuccess(lease.accountId());
      case FAILURE -> store.recordFailure(lease.accountId(), maxErrorCount());
      case NEUTRAL -> Future.succeededFuture();
    };
    return bookkeeping.map(v -> new JsonObject().put("released", true));
  }

  private void sweepLeakedLeases() {
    long cutoff = System.currentTimeMillis() - LEASE_MAX_AGE_MS;
    leases.entrySet().removeIf(e -> {
      boolean leaked = e.getValue().leasedAtMillis() < cutoff;
      if (leaked) LOG.warn("lease {} of account {} was never released; dropped", e.getKey(), e.getValue().accountId());
      return leaked;
    });
  }

  // ---- token refresh ----

  private Future<Account> withFreshToken(Account account) {
    if (!needsRefresh(account, UtcTimes.now()) || !account.hasRefreshToken()) {
      // fresh, or nothing to refresh with: the stored access token is all there is
      return Future.succeededFuture(account);
    }
    return refreshOnce(account.id());
  }

  /** Single flight: one refresh per account at a time, shared by every lease that needs it. */
  private Future<Account> refreshOnce(String accountId) {
    Future<Account> running = refreshes.get(accountId);
    if (running != null) return running;
    // re-read first: a lease holding an older snapshot must not refresh again right after a refresh
    Future<Account> refresh = store.findById(accountId).compose(this::refreshIfStillNeeded);
    refreshes.put(accountId, refresh);
    refresh.onComplete(ar -> refreshes.remove(accountId, refresh));
    return refresh;
  }

  private Future<Account> refreshIfStillNeeded(Optional<Account> current) {
    Account account = current.filter(Account::enabled).orElse(null);
    if (account == null) return Future.failedFuture(PoolFailure.noAccount());
    if (!needsRefresh(account, UtcTimes.now()) || !account.hasRefreshToken()) return Future.succeededFuture(account);
    return callRefresh(account);
  }

  private Future<Account> callRefresh(Account account) {
    JsonObject request = new JsonObject()
        .put("accountId", account.id())
        .put("clientId", account.clientId())
        .put("clientSecret", account.clientSecret())
        .put("refreshToken", account.refreshToken());
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(REFRESH_TIMEOUT_MS);
    return vertx.eventBus().request(Addresses.UPSTREAM_TOKEN_REFRESH, request, options)
        .compose(reply -> parseTokens(reply.body()))
        .recover(err -> recordRefreshFailure(account, err))
        .compose(tokens -> saveTokens(account, tokens));
  }

  private static Future<Tokens> parseTokens(Object body) {
    if (!(body instanceof JsonObject reply)) {
      return Future.failedFuture(new IllegalStateException("refresh reply is not a JSON object"));
    }
    Object access = reply.getValue("accessToken");
    if (!(access instanceof String accessToken) || accessToken.isBlank()) {
      return Future.failedFuture(new IllegalStateException("refresh reply has no accessToken"));
    }
    Object refresh = reply.getValue("refreshToken");
    String refreshToken = refresh instanceof String s && !s.isBlank() ? s : null;
    long expiresIn = reply.getValue("expiresIn") instanceof Number n && n.longValue() > 0
        ? n.longValue() : DEFAULT_EXPIRES_IN_SECONDS;
    return Future.succeededFuture(new Tokens(accessToken, refreshToken, expiresIn));
  }

  private Future<Tokens> recordRefreshFailure(Account account, Throwable err) {
    boolean invalidGrant = err instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE
        && re.failureCode() == BusFailure.INVALID_GRANT.code();
    boolean noRefresher = err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS;
    LOG.warn("token refresh failed for account {}: {}", account.id(), err.getMessage());
    Instant now = UtcTimes.now();
    Future<Void> bookkeeping = noRefresher ? Future.succeededFuture()
        : store.markRefreshFailed(account.id(), now, maxErrorCount());
    if (invalidGrant) {
      bookkeeping = bookkeeping.compose(v -> store.disable(account.id(), "invalid_grant", now))
          .onSuccess(v -> LOG.warn("account {} disabled: refresh token rejected (invalid_grant)", account.id()));
    }
    return bookkeeping.transform(ar -> {
      if (ar.failed()) LOG.error("could not record refresh failure of account {}: {}", account.id(), ar.cause().getMessage());
      return Future.failedFuture(refreshFailed(invalidGrant));
    });
  }

  private Future<Account> saveTokens(Account account, Tokens tokens) {
    Instant now = UtcTimes.now();
    Instant expiresAt = now.plusSeconds(tokens.expiresInSeconds());
    String refreshToken = tokens.refreshToken() != null ? tokens.refreshToken() : account.refreshToken();
    return store.saveTokens(account.id(), tokens.accessToken(), refreshToken, expiresAt, now, RefreshStatus.SUCCESS)
        .map(v -> account.withTokens(tokens.accessToken(), refreshToken, expiresAt, now));
  }

  private static PoolFailure refreshFailed(boolean invalidGrant) {
    return new PoolFailure(BusFailure.REFRESH_FAILED, invalidGrant
        ? "Token refresh failed: the refresh token was rejected (invalid_grant)"
        : "Token refresh failed");
  }

  /** Whether the access token must be refreshed before it is lent at {@code now}. */
  static boolean needsRefresh(Account account, Instant now) {
    if (!account.hasAccessToken()) return true;
    Instant expiry = effectiveExpiry(account);
    return expiry != null && !expiry.isAfter(now.plus(REFRESH_MARGIN));
  }

  /** {@code expires_at}, else an estimate (see {@link #ASSUMED_TOKEN_LIFETIME}), else null (unknown). */
  static Instant effectiveExpiry(Account account) {
    if (account.expiresAt() != null) return account.expiresAt();
    Instant base = account.lastRefreshStatus() == RefreshStatus.SUCCESS && account.lastRefreshTime() != null
        ? account.lastRefreshTime() : account.createdAt();
    return base == null ? null : base.plus(ASSUMED_TOKEN_LIFETIME);
  }

  /** {@code MAX_ERROR_COUNT}; zero or negative means accounts are never disabled for errors. */
  private int maxErrorCount() {
    return config.maxErrorCount() > 0 ? config.maxErrorCount() : Integer.MAX_VALUE;
  }

  // ---- admin CRUD and health ----

  private Future<JsonObject> create(JsonObject body) {
    Account account = AccountRequests.parseCreate(body, UUID.randomUUID().toString(), UtcTimes.now());
    return store.insert(account).map(AccountJson::toAdminJson);
  }

  private Future<JsonArray> list(JsonObject body) {
    return store.findAll().map(AccountJson::toAdminJson);
  }

  private Future<JsonObject> get(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    return store.findById(id).map(found -> AccountJson.toAdminJson(found.orElseThrow(PoolFailure::notFound)));
  }

  private Future<JsonObject> update(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    AccountPatch patch = AccountRequests.parsePatch(AccountRequests.requiredObject(body, "patch"));
    return store.update(id, patch).map(found -> AccountJson.toAdminJson(found.orElseThrow(PoolFailure::notFound)));
  }

  private Future<JsonObject> delete(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    return store.delete(id).map(deleted -> {
      if (!deleted) throw PoolFailure.notFound();
      return new JsonObject().put("deleted", true).put("id", id);
    });
  }

  private Future<JsonObject> health(JsonObject body) {
    return store.ping().compose(v -> store.countEnabled()).transform(ar -> Future.succeededFuture(new JsonObject()
        .put("db", ar.succeeded())
        .put("enabledAccounts", ar.succeeded() ? ar.result() : 0)
        .put("activeLeases", leases.size())));
  }
}
