package io.qbridge.account;

import io.qbridge.bus.AccountAction;
import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.bus.Lease;
import io.qbridge.bus.Outcome;
import io.qbridge.bus.RuntimeInfoClient;
import io.qbridge.routing.StickyTable;
import io.qbridge.bus.TokenRefreshClient;
import io.qbridge.config.AppConfig;
import io.qbridge.telemetry.Metrics;
import io.qbridge.time.Timekeeper;
import io.qbridge.store.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account pool: the only owner of the {@link AccountStore}. Everything else talks to it over
 * the event bus (use {@code bus.AccountPoolClient}). Deploy exactly <b>one</b> instance: live leases,
 * per-account in-flight counts and in-flight token refreshes are kept in memory, touched only on
 * this verticle's event loop.
 *
 * <p>Bus contract (request bodies are JSON objects; failures are {@link BusError}s
 * with {@link BusFailure} codes and client-safe text; see {@link Addresses} for each address):
 * <pre>
 * accounts.lease          {exclude?: [accountId...], model?, conversationKey?, followUpKey?} → {leaseId, accountId, label, accessToken}
 *                         NO_ACCOUNT (text says why) | COOLING_DOWN (429, retry-after) | REFRESH_FAILED | STORE_UNAVAILABLE
 * accounts.release        {leaseId, outcome: success|failure|neutral, action?, reason?, retryAfterMs?}
 *                         → {released: true|false} (false: unknown or already released lease, nothing counted)
 * accounts.lease.refresh  {leaseId}                        → lease with a refreshed token | NOT_FOUND | REFRESH_FAILED
 * accounts.refresh        {id}                             → account (admin: forced refresh) | NOT_FOUND | REFRESH_FAILED
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
 * <p>Four parts: this verticle only wires the bus to them.
 * <ul>
 *   <li>{@link LeaseBook}: live leases, per-account concurrency and holds, in memory;</li>
 *   <li>{@link Leasing}: the lease, release and forced-refresh flows (lease policy, cooldowns);</li>
 *   <li>{@link TokenRefresher}: single-flight token refresh and the background sweep;</li>
 *   <li>{@link AccountAdmin}: create, list, read, patch, delete, admin refresh, health.</li>
 * </ul>
 * Time (refresh times, cooldowns, lease ages, sweeps) comes from one {@link Timekeeper}, so tests drive it.
 */
public final class AccountPoolVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AccountPoolVerticle.class);

  /** Leases never released after this long are dropped (a leak; logged). */
  static final long LEASE_MAX_AGE_MS = Duration.ofHours(1).toMillis();
  static final long SWEEP_INTERVAL_MS = 60_000;

  private final AppConfig.Pool config;
  private final AppConfig.Routing routing;
  private final Function<Vertx, Timekeeper> timekeeper;
  private final Metrics metrics;
  private Entitlements entitlements;
  private long entitlementTimer = -1;
  private Timekeeper time;
  /** The account database; components of this verticle that store their own tables migrate and use it too. */
  private Database database;
  private AccountStore store;
  private Leasing leasing;
  private TokenRefresher refresher;
  private AccountAdmin admin;
  private long sweepTimer = -1;
  private long refreshTimer = -1;
  private long heartbeatTimer = -1;
  /** This process among the instances sharing the database: owner of its refresh locks and leases. */
  private final String instanceId;
  private RefreshLocks refreshLocks;
  private LeaseLedger ledger;

  /**
   * @param timekeeper the clock and timers of leases, cooldowns and sweeps ({@code Timekeeper::system}
   *                   in production; tests step through time with a manual one)
   */
  public AccountPoolVerticle(AppConfig.Pool config, Function<Vertx, Timekeeper> timekeeper) {
    this(config, AppConfig.Routing.defaults(), timekeeper);
  }

  /** @param routing catalog and usage refresh periods, sticky-table bounds */
  public AccountPoolVerticle(AppConfig.Pool config, AppConfig.Routing routing, Function<Vertx, Timekeeper> timekeeper) {
    this(config, routing, timekeeper, Metrics.NONE);
  }

  /** @param metrics where token refreshes are counted, by result, as they happen */
  public AccountPoolVerticle(AppConfig.Pool config, AppConfig.Routing routing, Function<Vertx, Timekeeper> timekeeper,
      Metrics metrics) {
    this(config, routing, timekeeper, metrics, "pool-" + UUID.randomUUID());
  }

  /** @param instanceId this qbridge instance's name in the shared database (owner of its leases and refresh locks) */
  public AccountPoolVerticle(AppConfig.Pool config, AppConfig.Routing routing, Function<Vertx, Timekeeper> timekeeper,
      Metrics metrics, String instanceId) {
    this.config = Objects.requireNonNull(config, "config");
    this.routing = Objects.requireNonNull(routing, "routing");
    this.timekeeper = timekeeper;
    this.metrics = metrics;
    this.instanceId = instanceId;
  }

  /**
   * Opens the store (schema created/migrated, secrets encrypted at rest when SECRETS_KEY is set, see
   * {@link EncryptedAccountStore#open}), then registers the consumers; fails if either fails.
   */
  @Override
  public Future<?> start() {
    time = timekeeper.apply(vertx);
    return AccountStores.openDatabase(vertx, config.databaseUrl())
        .compose(db -> {
          database = db;
          return AccountStores.create(db);
        })
        .compose(opened -> EncryptedAccountStore.open(vertx, opened, config.secretsKey(), config.secretsKeyPrevious())
            .recover(err -> opened.close().transform(ignored -> Future.failedFuture(err))))
        .compose(opened -> {
          // success counts gather for a second and go out as one write per account (not per request)
          CachedLeaseStore cached = new CachedLeaseStore(opened,
              flush -> vertx.setTimer(SuccessCounts.FLUSH_MS, id -> flush.run()));
          AccountStores.listenForChanges(database, cached);
          store = cached;
          return openCoordination();
        })
        .compose(v -> {
          wire();
          return admin.loadHolds().compose(loaded -> entitlements.load());
        })
        .compose(v -> registerConsumers())
        .onSuccess(v -> {
          sweepTimer = time.setPeriodic(SWEEP_INTERVAL_MS, id -> leasing.dropLeaked(LEASE_MAX_AGE_MS));
          refreshTimer = time.setPeriodic(config.refreshIntervalSeconds() * 1000L, id -> refresher.sweep());
          heartbeatTimer = time.setPeriodic(LeaseLedger.HEARTBEAT_MS, id -> leasing.heartbeat());
          long tickMs = Math.min(60_000L, 1000L * Math.min(routing.modelCatalogTtlSeconds(), routing.usageRefreshSeconds()));
          entitlementTimer = time.setPeriodic(tickMs, id -> entitlements.tick());
          entitlements.tick(); // accounts never fetched (or due) get their catalog and usage now
        })
        .recover(err -> closeStore().transform(ignored -> Future.failedFuture(err)));
  }

  /**
   * The tables shared with the other instances on the database: refresh locks always, the lease
   * ledger only with ACCOUNT_MAX_CONCURRENCY set (without a cap leasing costs no database work).
   */
  private Future<Void> openCoordination() {
    int cap = config.accountMaxConcurrency();
    Future<RefreshLocks> locks = SqlRefreshLocks.open(database);
    Future<LeaseLedger> leases = cap > 0 ? SqlLeaseLedger.open(database, instanceId, cap)
        : Future.succeededFuture(LeaseLedger.UNLIMITED);
    return Future.all(locks, leases).map(v -> {
      refreshLocks = locks.result();
      ledger = leases.result();
      return null;
    });
  }

  private void wire() {
    int maxErrorCount = config.maxErrorCount() > 0 ? config.maxErrorCount() : Integer.MAX_VALUE;
    LeaseBook book = new LeaseBook(config.accountMaxConcurrency());
    refresher = new TokenRefresher(store, refreshLocks, instanceId, new TokenRefreshClient(vertx, TokenRefresher.DEFAULT_EXPIRES_IN_SECONDS), time,
        new TokenRefresher.Settings(maxErrorCount, config.refreshMaxAgeSeconds(), config.refreshBeforeExpirySeconds()), metrics);
    entitlements = new Entitlements(store, refresher, new RuntimeInfoClient(vertx), time, routing.modelCatalogTtlSeconds(),
        routing.usageRefreshSeconds(), directory -> vertx.eventBus().publish(Addresses.MODELS_DIRECTORY_CHANGED, directory.toJson()),
        metrics);
    refresher.onRefreshed(entitlements::tokenRefreshed);
    leasing = new Leasing(store, book, ledger, refresher, time, new Leasing.Settings(maxErrorCount, config.cooldownSeconds(),
        config.shortCooldownSeconds(), config.longCooldownSeconds(), config.quotaParkSeconds()), entitlements,
        new StickyTable(routing.stickyMaxEntries(), routing.stickyTtlSeconds() * 1000L, time::monotonicMillis));
    entitlements.onExhausted(leasing::quotaResetKnown);
    admin = new AccountAdmin(store, book, refresher, time);
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) time.cancel(sweepTimer);
    if (refreshTimer >= 0) time.cancel(refreshTimer);
    if (entitlementTimer >= 0) time.cancel(entitlementTimer);
    if (heartbeatTimer >= 0) time.cancel(heartbeatTimer);
    Future<Void> released = leasing == null ? Future.succeededFuture() : leasing.releaseAll().recover(err -> {
      LOG.warn("could not release this instance's leases (they expire within {} ms): {}", LeaseLedger.STALE_MS,
          err.getMessage());
      return Future.succeededFuture();
    });
    return released.eventually(this::closeStore);
  }

  private Future<Void> closeStore() {
    Future<Void> closed = store == null ? Future.succeededFuture() : store.close();
    return closed.eventually(() -> database == null ? Future.succeededFuture() : database.close());
  }

  private Future<Void> registerConsumers() {
    return Future.all(List.of(
        consume(Addresses.ACCOUNTS_LEASE, b -> leasing.lease(AccountRequests.optionalTextSet(b, "exclude"),
            b.getValue("model") instanceof String m ? m : null,
            b.getValue("conversationKey") instanceof String k ? k : null,
            b.getValue("followUpKey") instanceof String f ? f : null).map(Lease::toJson)),
        consume(Addresses.MODELS_DIRECTORY, b -> Future.succeededFuture(entitlements.directory().toJson())),
        consume(Addresses.ACCOUNTS_RELEASE, this::release),
        consume(Addresses.ACCOUNTS_LEASE_REFRESH,
            b -> leasing.refreshLease(AccountRequests.requiredText(b, "leaseId")).map(Lease::toJson)),
        consume(Addresses.ACCOUNTS_REFRESH, b -> admin.refresh(AccountRequests.requiredText(b, "id"))),
        consume(Addresses.ACCOUNTS_CREATE, b -> admin.create(b).onSuccess(this::accountChanged)),
        consume(Addresses.ACCOUNTS_LIST, b -> admin.list()),
        consume(Addresses.ACCOUNTS_GET, b -> admin.get(AccountRequests.requiredText(b, "id"))),
        consume(Addresses.ACCOUNTS_UPDATE, b -> admin.update(AccountRequests.requiredText(b, "id"),
            AccountRequests.parsePatch(AccountRequests.requiredObject(b, "patch"))).onSuccess(this::accountChanged)),
        consume(Addresses.ACCOUNTS_DELETE, b -> admin.delete(AccountRequests.requiredText(b, "id"))
            .onSuccess(r -> entitlements.accountDeleted(r.getString("id")))),
        consume(Addresses.ACCOUNTS_HEALTH, b -> admin.health()))).mapEmpty();
  }

  /** Created, re-enabled or otherwise changed (admin JSON): catalog and usage are read again when it is enabled. */
  private void accountChanged(JsonObject account) {
    entitlements.accountChanged(account.getString("id"), Boolean.TRUE.equals(account.getValue("enabled")));
  }

  /** A store failure is STORE_UNAVAILABLE for the requester; its detail (paths, driver text) stays in the log. */
  private Future<Void> consume(String address, Function<JsonObject, Future<?>> handler) {
    return Bus.consume(vertx, address, body -> handler.apply(body).recover(err -> {
      if (!(err instanceof StoreException)) return Future.failedFuture(err);
      LOG.error("{}: {}", address, err.getMessage());
      return Future.failedFuture(new BusError(BusFailure.STORE_UNAVAILABLE, "Account store unavailable"));
    }));
  }

  private Future<JsonObject> release(JsonObject body) {
    String leaseId = AccountRequests.requiredText(body, "leaseId");
    Outcome outcome = Outcome.fromWire(body.getValue("outcome"));
    if (outcome == null) throw AccountRequests.badRequest("Field 'outcome' must be one of success, failure, neutral");
    AccountAction action = parseAction(body.getValue("action"));
    String reason = parseReason(body.getValue("reason"));
    long retryAfterMs = body.getValue("retryAfterMs") instanceof Number n ? n.longValue() : -1;
    String accountId = leasing.accountOf(leaseId);
    return leasing.release(leaseId, outcome, action, reason, retryAfterMs)
        .compose(released -> {
          if (!released || accountId == null || outcome != Outcome.FAILURE) return Future.succeededFuture(released);
          if (action == AccountAction.PARK) entitlements.quotaError(accountId);
          if ("invalid_model".equals(reason) && body.getValue("model") instanceof String model) {
            return entitlements.modelRejected(accountId, model).map(released);
          }
          return Future.succeededFuture(released);
        })
        .map(released -> new JsonObject().put("released", released));
  }

  private static AccountAction parseAction(Object value) {
    if (value == null) return AccountAction.COUNT_ERROR;
    AccountAction action = AccountAction.fromWire(value);
    if (action != null) return action;
    throw AccountRequests.badRequest("Field 'action' must be one of "
        + String.join(", ", Arrays.stream(AccountAction.values()).map(AccountAction::wire).toList()));
  }

  /** A short machine word for {@code other} (an error kind such as {@code throttled}); anything else is dropped. */
  private static String parseReason(Object value) {
    return value instanceof String s && s.matches("[a-z0-9_]{1,64}") ? s : null;
  }
}
