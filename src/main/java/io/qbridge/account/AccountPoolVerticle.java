package io.qbridge.account;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.upstream.UpstreamError.AccountAction;
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
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The account pool: the only owner of the {@link AccountStore}. Everything else talks to it over
 * the event bus (use {@link AccountPoolClient}). Deploy exactly <b>one</b> instance: live leases,
 * per-account in-flight counts and in-flight token refreshes are kept in memory, touched only on
 * this verticle's event loop.
 *
 * <p>Bus contract (request bodies are JSON objects; failures are {@code message.fail(code, text)}
 * with {@link BusFailure} codes and client-safe text; see {@link Addresses} for each address):
 * <pre>
 * accounts.lease          {exclude?: [accountId...]}       → {leaseId, accountId, label, accessToken}
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
 * <p><b>Lease policy:</b> a uniformly random pick (q2api's rule) among enabled accounts holding a
 * token, skipping those in {@code exclude} (already tried by the request), those cooling down or
 * parked ({@link AccountHolds}; read from the row, and from memory), and those at
 * {@code ACCOUNT_MAX_CONCURRENCY} live leases. Up to {@value #MAX_PICKS} such accounts are tried in
 * turn: an account whose access token is missing, or expires within {@link #REFRESH_MARGIN}, is
 * first refreshed through {@code upstream.token.refresh} ({@code {accountId, clientId,
 * clientSecret, refreshToken}} → {@code {accessToken, refreshToken?, expiresIn}}). When none is
 * usable the failure says why: COOLING_DOWN with the soonest cooldown end when any account is
 * merely cooling down, else NO_ACCOUNT naming the cause (none enabled, all busy, all parked).
 *
 * <p><b>Release:</b> success → {@code success_count + 1, error_count = 0}; failure →
 * {@code error_count + 1} (disabling at {@code MAX_ERROR_COUNT}) plus the upstream error's
 * {@link AccountAction}: COOLDOWN / SHORT_COOLDOWN / LONG_COOLDOWN hold the account for the
 * configured time or the upstream's retry-after, whichever is longer (plus up to 10 % jitter, so
 * accounts cooled together do not return together); PARK holds it until the quota resets; DISABLE
 * sets {@code enabled = 0} with the reason; NONE counts nothing.
 *
 * <p><b>Refresh:</b> single flight per account: the lease-time refresh, the forced refresh after
 * an upstream 403 ({@code accounts.lease.refresh}), the admin's and the background sweep's all go
 * through {@link #refreshOnce}, so two refreshes of one account never run at once and concurrent
 * callers share one OIDC call. Every refresh re-reads the row first, so a caller holding an older
 * snapshot never refreshes twice. The background sweep runs every {@code REFRESH_INTERVAL_SECONDS}
 * over enabled accounts never refreshed, refreshed longer than {@code REFRESH_MAX_AGE_SECONDS} ago,
 * or expiring within {@code REFRESH_BEFORE_EXPIRY_SECONDS}, one account at a time. A refresh
 * failure reported by the refresher (or a timeout) sets {@code last_refresh_status = failed} and
 * counts one failure; {@link BusFailure#INVALID_GRANT} also disables the account with
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
  /** Live leases per account id (entries removed at zero). */
  private final Map<String, Integer> inFlight = new HashMap<>();
  /** Cooldowns and parks known to this instance; the same holds are persisted in {@code other}. */
  private final Map<String, AccountHolds.Hold> holds = new HashMap<>();
  private final Map<String, Future<Account>> refreshes = new HashMap<>();
  private final Random random = new Random();
  private AccountStore store;
  private long sweepTimer = -1;
  private long refreshTimer = -1;
  private boolean refreshSweepRunning;

  /** A granted lease; {@code accessToken} is the token it was given (to recognise a stale one). */
  private record LiveLease(String accountId, long leasedAtMillis, String accessToken) {}

  private record Tokens(String accessToken, String refreshToken, long expiresInSeconds) {}

  public AccountPoolVerticle(AppConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Opens the store (schema created/migrated), then registers the consumers; fails if either fails. */
  @Override
  public Future<?> start() {
    return AccountStores.create(vertx, config)
        .compose(opened -> {
          store = new CachedLeaseStore(opened);
          return loadHolds();
        })
        .compose(v -> registerConsumers())
        .onSuccess(v -> {
          sweepTimer = vertx.setPeriodic(SWEEP_INTERVAL_MS, id -> sweepLeakedLeases());
          refreshTimer = vertx.setPeriodic(config.refreshIntervalSeconds() * 1000L, id -> refreshSweep());
        })
        .recover(err -> closeStore().transform(ignored -> Future.failedFuture(err)));
  }

  @Override
  public Future<?> stop() {
    if (sweepTimer >= 0) vertx.cancelTimer(sweepTimer);
    if (refreshTimer >= 0) vertx.cancelTimer(refreshTimer);
    return closeStore();
  }

  private Future<Void> closeStore() {
    return store == null ? Future.succeededFuture() : store.close();
  }

  /** Holds persisted by an earlier run (or another instance) come back into memory. */
  private Future<Void> loadHolds() {
    return store.findAll().onSuccess(accounts -> accounts.forEach(this::syncHold)).mapEmpty();
  }

  private Future<Void> registerConsumers() {
    return Future.all(List.of(
        consume(Addresses.ACCOUNTS_LEASE, this::lease),
        consume(Addresses.ACCOUNTS_RELEASE, this::release),
        consume(Addresses.ACCOUNTS_LEASE_REFRESH, this::leaseRefresh),
        consume(Addresses.ACCOUNTS_REFRESH, this::adminRefresh),
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
      msg.fail(f.failure().code(), f.wireText());
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
    Set<String> exclude = AccountRequests.optionalTextSet(body, "exclude");
    Instant now = UtcTimes.now();
    Set<String> skip = new HashSet<>(exclude);
    skip.addAll(heldAccounts(now));
    skip.addAll(busyAccounts());
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LEASE_BUDGET_MS);
    return store.findLeaseCandidates(MAX_PICKS, now, skip)
        .compose(candidates -> candidates.isEmpty()
            ? explainUnavailable(exclude, now)
            : firstUsable(candidates, 0, deadline, null))
        .map(this::grant);
  }

  /** The first candidate, from {@code index} on, whose token is fresh or could be refreshed, with a free slot. */
  private Future<Account> firstUsable(List<Account> candidates, int index, long deadline, Throwable lastError) {
    if (index >= candidates.size() || (index > 0 && System.nanoTime() - deadline > 0)) {
      boolean explained = lastError instanceof PoolFailure || lastError instanceof StoreException;
      return Future.failedFuture(explained ? lastError : refreshFailed(false, null));
    }
    return withFreshToken(candidates.get(index))
        // a refresh is asynchronous: other leases may have taken the last slot meanwhile
        .compose(a -> atCapacity(a.id()) ? Future.<Account>failedFuture(allBusy()) : Future.succeededFuture(a))
        .recover(err -> firstUsable(candidates, index + 1, deadline, err));
  }

  private JsonObject grant(Account account) {
    String leaseId = UUID.randomUUID().toString();
    leases.put(leaseId, new LiveLease(account.id(), System.currentTimeMillis(), account.accessToken()));
    inFlight.merge(account.id(), 1, Integer::sum);
    return new Lease(leaseId, account.id(), account.label(), account.accessToken()).toJson();
  }

  private Future<JsonObject> release(JsonObject body) {
    String leaseId = AccountRequests.requiredText(body, "leaseId");
    Outcome outcome = Outcome.fromWire(body.getValue("outcome"));
    if (outcome == null) throw PoolFailure.badRequest("Field 'outcome' must be one of success, failure, neutral");
    AccountAction action = parseAction(body.getValue("action"));
    String reason = parseReason(body.getValue("reason"));
    long retryAfterMs = body.getValue("retryAfterMs") instanceof Number n ? n.longValue() : -1;
    LiveLease lease = leases.remove(leaseId);
    if (lease == null) return Future.succeededFuture(new JsonObject().put("released", false));
    dropInFlight(lease.accountId());
    Future<Void> bookkeeping = switch (outcome) {
      case SUCCESS -> store.recordSuccess(lease.accountId());
      case FAILURE -> applyFailure(lease.accountId(), action, reason, retryAfterMs);
      case NEUTRAL -> Future.succeededFuture();
    };
    return bookkeeping.map(v -> new JsonObject().put("released", true));
  }

  private static AccountAction parseAction(Object value) {
    if (value == null) return AccountAction.COUNT_ERROR;
    if (value instanceof String s) {
      for (AccountAction a : AccountAction.values()) {
        if (a.name().equalsIgnoreCase(s)) return a;
      }
    }
    throw PoolFailure.badRequest("Field 'action' must be one of "
        + String.join(", ", java.util.Arrays.stream(AccountAction.values()).map(a -> a.name().toLowerCase(Locale.ROOT)).toList()));
  }

  /** A short machine word for {@code other} (an error kind such as {@code throttled}); anything else is dropped. */
  private static String parseReason(Object value) {
    return value instanceof String s && s.matches("[a-z0-9_]{1,64}") ? s : null;
  }

  /**
   * One failure of an account, then its action: the error counter always moves (so
   * {@code MAX_ERROR_COUNT} still disables an account that keeps failing); a hold takes effect in
   * memory at once and is persisted in {@code other}. The writes are issued together, so a lease
   * query issued after them (the store runs statements in order) already sees them.
   */
  private Future<Void> applyFailure(String accountId, AccountAction action, String reason, long retryAfterMs) {
    if (action == AccountAction.NONE) return Future.succeededFuture();
    Instant now = UtcTimes.now();
    Future<Void> counted = store.recordFailure(accountId, maxErrorCount());
    Future<Void> applied = switch (action) {
      case DISABLE -> store.disable(accountId, reason == null ? "suspended" : reason, now)
          .onSuccess(v -> LOG.warn("account {} disabled: {}", accountId, reason));
      case PARK -> hold(accountId,
          new AccountHolds.Hold(AccountHolds.Type.PARKED, parkUntil(now), reason == null ? "quota_exhausted" : reason));
      case COOLDOWN -> cooldown(accountId, now, retryAfterMs >= 0 ? retryAfterMs : seconds(config.cooldownSeconds()), reason);
      case SHORT_COOLDOWN -> cooldown(accountId, now, Math.max(retryAfterMs, seconds(config.shortCooldownSeconds())), reason);
      case LONG_COOLDOWN -> cooldown(accountId, now, Math.max(retryAfterMs, seconds(config.longCooldownSeconds())), reason);
      case NONE, COUNT_ERROR, REFRESH_AND_RETRY -> Future.succeededFuture();
    };
    return Future.all(counted, applied).mapEmpty();
  }

  private Future<Void> cooldown(String accountId, Instant now, long ms, String reason) {
    if (ms <= 0) return Future.succeededFuture();
    long jitter = ms >= 10 ? random.nextLong(ms / 10 + 1) : 0;
    Instant until = now.plusMillis(ms + jitter);
    return hold(accountId, new AccountHolds.Hold(AccountHolds.Type.COOLDOWN, until, reason == null ? "error" : reason));
  }

  private Future<Void> hold(String accountId, AccountHolds.Hold hold) {
    AccountHolds.Hold current = holds.get(accountId);
    if (current != null && current.until().isAfter(hold.until()) && current.activeAt(UtcTimes.now())) {
      return Future.succeededFuture(); // never shorten a longer hold (e.g. a park) with a cooldown
    }
    holds.put(accountId, hold);
    LOG.info("account {} {} until {} ({})", accountId, hold.type() == AccountHolds.Type.PARKED ? "parked" : "cooling down",
        UtcTimes.format(hold.until()), hold.reason());
    return store.mergeOther(accountId, hold.toOther());
  }

  private Instant parkUntil(Instant now) {
    return config.quotaParkSeconds() > 0 ? now.plusSeconds(config.quotaParkSeconds()) : AccountHolds.firstOfNextMonthUtc(now);
  }

  private static long seconds(int s) {
    return s * 1000L;
  }

  /** Keeps the in-memory hold of an account in line with its row (after a read or an admin change). */
  private void syncHold(Account account) {
    AccountHolds.Hold hold = AccountHolds.activeHold(account.other(), UtcTimes.now());
    if (hold == null) holds.remove(account.id());
    else holds.put(account.id(), hold);
  }

  /** Ids held at {@code now}; expired holds are forgotten. */
  private Set<String> heldAccounts(Instant now) {
    holds.values().removeIf(h -> !h.activeAt(now));
    return holds.keySet();
  }

  private Set<String> busyAccounts() {
    if (config.accountMaxConcurrency() <= 0) return Set.of();
    Set<String> busy = new HashSet<>();
    inFlight.forEach((id, n) -> {
      if (n >= config.accountMaxConcurrency()) busy.add(id);
    });
    return busy;
  }

  private boolean atCapacity(String accountId) {
    return config.accountMaxConcurrency() > 0 && inFlight.getOrDefault(accountId, 0) >= config.accountMaxConcurrency();
  }

  private void dropInFlight(String accountId) {
    inFlight.computeIfPresent(accountId, (id, n) -> n <= 1 ? null : n - 1);
  }

  /** Fails with the reason no account can be lent now (only runs when the lease query found none). */
  private Future<Account> explainUnavailable(Set<String> exclude, Instant now) {
    return store.findEnabled().compose(enabled -> Future.failedFuture(unavailable(enabled, exclude, now)));
  }

  private PoolFailure unavailable(List<Account> enabled, Set<String> exclude, Instant now) {
    int usable = 0;
    int tried = 0;
    int cooling = 0;
    int parked = 0;
    int busy = 0;
    Instant soonestCooldown = null;
    Instant soonestPark = null;
    for (Account a : enabled) {
      if (!a.hasRefreshToken() && !a.hasAccessToken()) continue;
      usable++;
      AccountHolds.Hold hold = effectiveHold(a, now);
      if (exclude.contains(a.id())) {
        tried++;
      } else if (hold != null && hold.type() == AccountHolds.Type.PARKED) {
        parked++;
        soonestPark = min(soonestPark, hold.until());
      } else if (hold != null) {
        cooling++;
        soonestCooldown = min(soonestCooldown, hold.until());
      } else if (atCapacity(a.id())) {
        busy++;
      }
    }
    if (usable == 0) return PoolFailure.noAccount();
    if (cooling > 0) {
      long retryAfter = Math.max(1, (Duration.between(now, soonestCooldown).toMillis() + 999) / 1000);
      String more = parked > 0 ? ", " + parked + " parked until their quota resets" : "";
      return new PoolFailure(BusFailure.COOLING_DOWN, "All accounts are rate limited: " + cooling
          + " cooling down" + more + "; retry in " + retryAfter + " s", retryAfter, null);
    }
    if (busy > 0) return allBusy();
    if (parked > 0) {
      return new PoolFailure(BusFailure.NO_ACCOUNT, "All accounts have exhausted their usage quota; the first one"
          + " returns at " + UtcTimes.format(soonestPark));
    }
    if (tried > 0) return new PoolFailure(BusFailure.NO_ACCOUNT, "No other enabled account available");
    return PoolFailure.noAccount();
  }

  private PoolFailure allBusy() {
    return new PoolFailure(BusFailure.NO_ACCOUNT, "All accounts are busy (at most " + config.accountMaxConcurrency()
        + " concurrent requests per account); retry shortly", 1, null);
  }

  /** The longer of the in-memory and the persisted hold, if active. */
  private AccountHolds.Hold effectiveHold(Account a, Instant now) {
    AccountHolds.Hold persisted = AccountHolds.activeHold(a.other(), now);
    AccountHolds.Hold memory = holds.get(a.id());
    if (memory == null || !memory.activeAt(now)) return persisted;
    return persisted == null || memory.until().isAfter(persisted.until()) ? memory : persisted;
  }

  private static Instant min(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }

  private void sweepLeakedLeases() {
    long cutoff = System.currentTimeMillis() - LEASE_MAX_AGE_MS;
    leases.entrySet().removeIf(e -> {
      boolean leaked = e.getValue().leasedAtMillis() < cutoff;
      if (leaked) {
        LOG.warn("lease {} of account {} was never released; dropped", e.getKey(), e.getValue().accountId());
        dropInFlight(e.getValue().accountId());
      }
      return leaked;
    });
  }

  // ---- token refresh ----

  private Future<Account> withFreshToken(Account account) {
    if (!needsRefresh(account, UtcTimes.now()) || !account.hasRefreshToken()) {
      // fresh, or nothing to refresh with: the stored access token is all there is
      return Future.succeededFuture(account);
    }
    return refreshOnce(account.id(), true, a -> needsRefresh(a, UtcTimes.now()), true);
  }

  /**
   * {@code accounts.lease.refresh}: the upstream said the lease's token is invalid. Refreshes unless
   * the account's token already changed since the lease was granted (another request refreshed it).
   */
  private Future<JsonObject> leaseRefresh(JsonObject body) {
    String leaseId = AccountRequests.requiredText(body, "leaseId");
    LiveLease lease = leases.get(leaseId);
    if (lease == null) return Future.failedFuture(new PoolFailure(BusFailure.NOT_FOUND, "Unknown or released lease"));
    String stale = lease.accessToken();
    return refreshOnce(lease.accountId(), true, a -> !a.hasAccessToken() || a.accessToken().equals(stale), true)
        .map(account -> {
          LiveLease current = leases.get(leaseId);
          if (current != null) {
            leases.put(leaseId, new LiveLease(current.accountId(), current.leasedAtMillis(), account.accessToken()));
          }
          return new Lease(leaseId, account.id(), account.label(), account.accessToken()).toJson();
        });
  }

  /** {@code accounts.refresh}: an admin forces a refresh; failures carry the operator detail. */
  private Future<JsonObject> adminRefresh(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    return store.findById(id)
        .compose(found -> found.isEmpty() ? Future.<Account>failedFuture(PoolFailure.notFound())
            : refreshOnce(id, false, a -> true, false))
        .recover(err -> Future.failedFuture(err instanceof PoolFailure f && f.failure() == BusFailure.REFRESH_FAILED
            && f.operatorDetail() != null ? new PoolFailure(BusFailure.REFRESH_FAILED, f.getMessage() + " (" + f.operatorDetail() + ")")
            : err))
        .compose(refreshed -> store.findById(id))
        .map(found -> AccountJson.toAdminJson(found.orElseThrow(PoolFailure::notFound)));
  }

  /**
   * Single flight: one refresh per account at a time, shared by every caller that needs it. The
   * row is re-read first and refreshed only if {@code needed} still holds for it (and, with
   * {@code requireEnabled}, it is still enabled). A caller that joins a running refresh whose
   * result still fails its own {@code needed} (that refresh found nothing to do) starts one more,
   * once ({@code mayRejoin}).
   */
  private Future<Account> refreshOnce(String accountId, boolean requireEnabled, Predicate<Account> needed,
      boolean mayRejoin) {
    Future<Account> running = refreshes.get(accountId);
    if (running != null) {
      return !mayRejoin ? running : running.compose(a -> needed.test(a)
          ? refreshOnce(accountId, requireEnabled, needed, false) : Future.succeededFuture(a));
    }
    Future<Account> refresh = store.findById(accountId).compose(current -> {
      Account account = current.filter(a -> !requireEnabled || a.enabled()).orElse(null);
      if (account == null) {
        return Future.failedFuture(current.isEmpty() ? PoolFailure.notFound() : PoolFailure.noAccount());
      }
      if (!needed.test(account)) return Future.succeededFuture(account);
      if (!account.hasRefreshToken()) return Future.failedFuture(refreshFailed(false, "the account has no refresh token"));
      return callRefresh(account);
    });
    refreshes.put(accountId, refresh);
    refresh.onComplete(ar -> refreshes.remove(accountId, refresh));
    return refresh;
  }

  /** The background sweep: refreshes due accounts one after the other; a run never overlaps the previous. */
  private void refreshSweep() {
    if (refreshSweepRunning) return;
    refreshSweepRunning = true;
    Instant now = UtcTimes.now();
    store.findEnabled()
        .compose(accounts -> {
          Future<Void> chain = Future.succeededFuture();
          for (Account a : accounts) {
            if (!a.hasRefreshToken() || !dueForBackgroundRefresh(a, now)) continue;
            chain = chain.compose(v -> refreshOnce(a.id(), true, current -> dueForBackgroundRefresh(current, UtcTimes.now()), false)
                .<Void>mapEmpty()
                .recover(err -> Future.succeededFuture())); // recorded on the account; go on with the next
          }
          return chain;
        })
        .onComplete(ar -> {
          refreshSweepRunning = false;
          if (ar.failed()) LOG.warn("background token refresh sweep failed: {}", ar.cause().getMessage());
        });
  }

  /**
   * The sweep's rule: no access token, never refreshed, last refreshed more than
   * {@code REFRESH_MAX_AGE_SECONDS} ago (q2api's 25 minutes), or {@code expires_at} within
   * {@code REFRESH_BEFORE_EXPIRY_SECONDS}.
   */
  boolean dueForBackgroundRefresh(Account a, Instant now) {
    if (!a.hasAccessToken() || a.lastRefreshTime() == null) return true;
    if (a.lastRefreshTime().isBefore(now.minusSeconds(config.refreshMaxAgeSeconds()))) return true;
    return a.expiresAt() != null && !a.expiresAt().isAfter(now.plusSeconds(config.refreshBeforeExpirySeconds()));
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
      return Future.failedFuture(refreshFailed(invalidGrant, err.getMessage()));
    });
  }

  private Future<Account> saveTokens(Account account, Tokens tokens) {
    Instant now = UtcTimes.now();
    Instant expiresAt = now.plusSeconds(tokens.expiresInSeconds());
    String refreshToken = tokens.refreshToken() != null ? tokens.refreshToken() : account.refreshToken();
    return store.saveTokens(account.id(), tokens.accessToken(), refreshToken, expiresAt, now, RefreshStatus.SUCCESS)
        .map(v -> account.withTokens(tokens.accessToken(), refreshToken, expiresAt, now));
  }

  private static PoolFailure refreshFailed(boolean invalidGrant, String operatorDetail) {
    return new PoolFailure(BusFailure.REFRESH_FAILED, invalidGrant
        ? "Token refresh failed: the refresh token was rejected (invalid_grant)"
        : "Token refresh failed", -1, invalidGrant ? "the account was disabled; log in again" : operatorDetail);
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

  /** The admin list, each row with {@code inFlight}: this pool's live leases on it (the console shows them). */
  private Future<JsonArray> list(JsonObject body) {
    return store.findAll().map(accounts -> {
      JsonArray rows = AccountJson.toAdminJson(accounts);
      rows.forEach(row -> ((JsonObject) row).put("inFlight", inFlight.getOrDefault(((JsonObject) row).getString("id"), 0)));
      return rows;
    });
  }

  private Future<JsonObject> get(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    return store.findById(id).map(found -> AccountJson.toAdminJson(found.orElseThrow(PoolFailure::notFound)));
  }

  private Future<JsonObject> update(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    AccountPatch patch = AccountRequests.parsePatch(AccountRequests.requiredObject(body, "patch"));
    return store.update(id, patch).map(found -> {
      Account account = found.orElseThrow(PoolFailure::notFound);
      syncHold(account);
      return AccountJson.toAdminJson(account);
    });
  }

  private Future<JsonObject> delete(JsonObject body) {
    String id = AccountRequests.requiredText(body, "id");
    return store.delete(id).map(deleted -> {
      if (!deleted) throw PoolFailure.notFound();
      holds.remove(id);
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
