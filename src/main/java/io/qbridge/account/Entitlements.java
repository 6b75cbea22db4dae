package io.qbridge.account;

import io.qbridge.bus.RuntimeInfoClient;
import io.qbridge.catalog.ModelCatalog;
import io.qbridge.catalog.ModelDirectory;
import io.qbridge.convert.ModelMapper;
import io.qbridge.quota.UsageLimits;
import io.qbridge.telemetry.Metrics;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What each account may use: its model catalog ({@code ListAvailableModels}) and its usage
 * ({@code GetUsageLimits}), kept in the pool's memory for leasing and persisted in the account's
 * {@code other} JSON (keys {@code modelCatalog}, {@code catalogFetchedAt}, {@code catalogError},
 * {@code usage}, {@code usageFetchedAt}, {@code usageError}), so they survive restarts, are shared
 * by instances on one database and show in the admin API.
 *
 * <p>When: on start for accounts never fetched, when an account is created, changed or re-enabled,
 * right after a token refresh that follows such a change or a read the account's token could not
 * make (so the catalog belongs to the account's current credentials: an admin may give an account
 * new ones), right after a quota error (usage), and on a periodic tick when {@code
 * MODEL_CATALOG_TTL_SECONDS} / {@code USAGE_REFRESH_SECONDS} have passed since the last attempt.
 * Fetches run one at a time, through the upstream verticle ({@link RuntimeInfoClient}), with the
 * account's current token (an account whose token needs a refresh is read right after its next
 * refresh: fetching never refreshes tokens). A failure never disables an account and counts no
 * error: the account keeps its last catalog (or the static one) and its last usage; the failure's
 * summary is stored for the admin. {@code FEATURE_NOT_SUPPORTED} changes nothing (an account never
 * read stays "unknown" and is never skipped for quota). Every usage read is also reported as
 * per-account gauges ({@link Metrics#accountUsage}), and an exhausted one with a known reset moves
 * a quota park's end there ({@link #onExhausted}).
 *
 * <p>Every change of a catalog publishes the {@link ModelDirectory} of the enabled accounts.
 * Not thread-safe: owned by the pool verticle's event loop.
 */
final class Entitlements {
  private static final Logger LOG = LoggerFactory.getLogger(Entitlements.class);

  /** What an account without a fetched catalog is assumed to offer: the static model list. */
  static final ModelCatalog STATIC = ModelCatalog.ofIds(ModelMapper.Q_MODELS, 200_000, 64_000);
  /** The failure of a read whose token Amazon Q refused ({@code upstream.RuntimeCallError.Failure}). */
  private static final String TOKEN_INVALID = "TOKEN_INVALID";

  private record State(ModelCatalog catalog, Instant catalogAt, UsageLimits usage, Instant usageAt) {
    static final State EMPTY = new State(null, null, null, null);
  }

  private final AccountStore store;
  private final TokenRefresher refresher;
  private final RuntimeInfoClient upstream;
  private final Timekeeper time;
  private final long catalogTtlMs;
  private final long usageTtlMs;
  private final Consumer<ModelDirectory> publish;
  private final Metrics metrics;
  private final Map<String, State> states = new HashMap<>();
  private final Set<String> enabled = new HashSet<>();
  /** Told (account id, reset) when a usage read finds an account exhausted until a known reset. */
  private BiFunction<String, Instant, Future<Void>> onExhausted = (id, reset) -> Future.succeededFuture();
  /** Accounts to read again at their next token refresh: changed since, or last read without a usable token. */
  private final Set<String> readAfterRefresh = new HashSet<>();
  private Future<Void> running = Future.succeededFuture();
  private ModelDirectory directory = ModelDirectory.union(List.of(), STATIC);

  Entitlements(AccountStore store, TokenRefresher refresher, RuntimeInfoClient upstream, Timekeeper time,
      long catalogTtlSeconds, long usageTtlSeconds, Consumer<ModelDirectory> publish, Metrics metrics) {
    this.metrics = metrics;
    this.store = store;
    this.refresher = refresher;
    this.upstream = upstream;
    this.time = time;
    this.catalogTtlMs = catalogTtlSeconds * 1000;
    this.usageTtlMs = usageTtlSeconds * 1000;
    this.publish = publish;
  }

  /** Where an exhausted usage with a known reset is reported (the pool moves a quota park's end there). */
  void onExhausted(BiFunction<String, Instant, Future<Void>> listener) {
    this.onExhausted = listener;
  }

  // ---------------------------------------------------------------- reads for leasing

  /** Whether the account may take {@code modelId} ({@code null}: any model). */
  boolean accepts(String accountId, String modelId) {
    return modelId == null || catalogOf(accountId).has(modelId);
  }

  /** Whether the account is out of quota at {@code now} (until its reset). */
  boolean blocked(String accountId, Instant now) {
    UsageLimits u = states.getOrDefault(accountId, State.EMPTY).usage();
    return u != null && u.blocksAt(now);
  }

  /** Remaining quota fraction at {@code now}, 1 when unknown or past the reset. */
  double remainingFraction(String accountId, Instant now) {
    UsageLimits u = states.getOrDefault(accountId, State.EMPTY).usage();
    return u == null ? 1.0 : u.remainingFractionAt(now);
  }

  /** When the first blocked account among {@code ids} comes back, or {@code null}. */
  Instant soonestReset(List<String> ids, Instant now) {
    Instant soonest = null;
    for (String id : ids) {
      UsageLimits u = states.getOrDefault(id, State.EMPTY).usage();
      if (u != null && u.blocksAt(now) && u.nextReset() != null && (soonest == null || u.nextReset().isBefore(soonest))) {
        soonest = u.nextReset();
      }
    }
    return soonest;
  }

  ModelCatalog catalogOf(String accountId) {
    ModelCatalog c = states.getOrDefault(accountId, State.EMPTY).catalog();
    return c != null ? c : STATIC;
  }

  ModelDirectory directory() {
    return directory;
  }

  // ---------------------------------------------------------------- lifecycle

  /** Takes the persisted catalogs and usage of every row into memory, then fetches what is due. */
  Future<Void> load() {
    return store.findAll().map(rows -> {
      for (Account a : rows) {
        JsonObject other = a.other();
        states.put(a.id(), new State(
            other.getValue("modelCatalog") instanceof JsonObject c ? ModelCatalog.fromJson(c) : null,
            instant(other.getValue("catalogFetchedAt")),
            other.getValue("usage") instanceof JsonObject u ? UsageLimits.fromJson(u) : null,
            instant(other.getValue("usageFetchedAt"))));
        if (a.enabled()) enabled.add(a.id());
        UsageLimits usage = states.get(a.id()).usage();
        if (usage != null) metrics.accountUsage(a.id(), usage);
      }
      republish();
      return null;
    });
  }

  /** The periodic tick: fetches whatever is due, one account at a time; a tick during a run is skipped. */
  void tick() {
    if (!running.isComplete()) return;
    running = store.findEnabled().compose(rows -> {
      enabled.clear();
      rows.forEach(a -> enabled.add(a.id()));
      republish();
      Future<Void> chain = Future.succeededFuture();
      for (Account a : rows) {
        if (!a.hasRefreshToken() && !a.hasAccessToken()) continue;
        chain = chain.compose(v -> fetchDue(a.id(), false, false));
      }
      return chain;
    }).otherwise(t -> {
      LOG.warn("catalog/usage tick failed: {}", t.getMessage());
      return null;
    });
  }

  /** An account was created, changed or re-enabled: fetch both now when it is enabled. */
  void accountChanged(String accountId, boolean isEnabled) {
    if (isEnabled) enabled.add(accountId);
    else enabled.remove(accountId);
    republish();
    // the stored access token may predate the change (new credentials): read again after the next refresh too
    readAfterRefresh.add(accountId);
    if (isEnabled) running = running.transform(v -> fetchDue(accountId, true, true));
  }

  /**
   * The account's token was refreshed: when it changed since its last read (or that read lacked a
   * usable token), catalog and usage are read now, with the new token.
   */
  void tokenRefreshed(String accountId) {
    if (readAfterRefresh.remove(accountId) && enabled.contains(accountId)) {
      running = running.transform(v -> fetchDue(accountId, true, true));
    }
  }

  void accountDeleted(String accountId) {
    states.remove(accountId);
    enabled.remove(accountId);
    readAfterRefresh.remove(accountId);
    metrics.accountRemoved(accountId);
    republish();
  }

  /** After a quota or 402 error: read the usage again now. */
  void quotaError(String accountId) {
    running = running.transform(v -> fetchDue(accountId, false, true));
  }

  /** Amazon Q answered INVALID_MODEL_ID for {@code modelId} on this account: it no longer offers it. */
  Future<Void> modelRejected(String accountId, String modelId) {
    if (modelId == null || !catalogOf(accountId).has(modelId)) return Future.succeededFuture();
    State s = states.getOrDefault(accountId, State.EMPTY);
    ModelCatalog c = catalogOf(accountId).without(modelId);
    states.put(accountId, new State(c, s.catalogAt(), s.usage(), s.usageAt()));
    LOG.info("account {} no longer offers model {} (INVALID_MODEL_ID)", accountId, modelId);
    republish();
    return store.mergeOther(accountId, new JsonObject().put("modelCatalog", c.toJson()));
  }

  // ---------------------------------------------------------------- fetching

  private Future<Void> fetchDue(String accountId, boolean forceCatalog, boolean forceUsage) {
    State s = states.getOrDefault(accountId, State.EMPTY);
    Instant now = time.now();
    boolean catalogDue = forceCatalog || due(s.catalogAt(), catalogTtlMs, now);
    boolean usageDue = forceUsage || due(s.usageAt(), usageTtlMs, now);
    if (!catalogDue && !usageDue) return Future.succeededFuture();
    return store.findById(accountId)
        // never a token refresh of its own: an account whose token is missing or expiring is
        // fetched on a later tick, after a lease or the refresh sweep renewed it
        .compose(found -> {
          if (found.isEmpty() || !found.get().enabled()) return Future.<Account>failedFuture("gone");
          if (!TokenRefresher.needsRefresh(found.get(), now)) return Future.succeededFuture(found.get());
          readAfterRefresh.add(accountId);
          return Future.<Account>failedFuture("token not fresh");
        })
        .compose(a -> (catalogDue ? fetchCatalog(a) : Future.<Void>succeededFuture())
            .compose(v -> usageDue ? fetchUsage(a) : Future.<Void>succeededFuture()))
        .otherwise(t -> {
          LOG.debug("catalog/usage fetch for {} skipped: {}", accountId, t.getMessage());
          return null;
        });
  }

  private Future<Void> fetchCatalog(Account a) {
    return upstream.models(a.accessToken()).compose(reply -> {
      if (RuntimeInfoClient.NO_UPSTREAM.equals(reply.failure())) return Future.<Void>succeededFuture();
      Instant now = time.now();
      State s = states.getOrDefault(a.id(), State.EMPTY);
      JsonObject patch = new JsonObject().put("catalogFetchedAt", UtcTimes.format(now));
      ModelCatalog catalog = s.catalog();
      if (reply.ok()) {
        catalog = ModelCatalog.fromJson(reply.data());
        patch.put("modelCatalog", catalog == null ? null : catalog.toJson()).putNull("catalogError");
      } else {
        if (TOKEN_INVALID.equals(reply.failure())) readAfterRefresh.add(a.id());
        patch.put("catalogError", reply.summary());
        LOG.info("account {} keeps its {} catalog: ListAvailableModels {}", a.id(), catalog == null ? "static" : "last", reply.summary());
      }
      states.put(a.id(), new State(catalog, now, s.usage(), s.usageAt()));
      republish();
      return store.mergeOther(a.id(), patch);
    });
  }

  private Future<Void> fetchUsage(Account a) {
    return upstream.usage(a.accessToken()).compose(reply -> {
      if (RuntimeInfoClient.NO_UPSTREAM.equals(reply.failure())) return Future.<Void>succeededFuture();
      Instant now = time.now();
      State s = states.getOrDefault(a.id(), State.EMPTY);
      JsonObject patch = new JsonObject().put("usageFetchedAt", UtcTimes.format(now));
      UsageLimits usage = s.usage();
      if (reply.ok()) {
        usage = UsageLimits.fromJson(reply.data());
        patch.put("usage", usage == null ? null : usage.toJson()).putNull("usageError");
        if (usage != null) metrics.accountUsage(a.id(), usage);
      } else {
        if (TOKEN_INVALID.equals(reply.failure())) readAfterRefresh.add(a.id());
        // FEATURE_NOT_SUPPORTED is "unknown": nothing changes but the note for the admin
        patch.put("usageError", reply.summary());
      }
      states.put(a.id(), new State(s.catalog(), s.catalogAt(), usage, now));
      Future<Void> saved = store.mergeOther(a.id(), patch);
      Instant reset = reply.ok() && usage != null && usage.exhausted() ? usage.nextReset() : null;
      return reset == null ? saved : saved.compose(v -> onExhausted.apply(a.id(), reset));
    });
  }

  private void republish() {
    List<ModelCatalog> catalogs = new ArrayList<>();
    for (String id : enabled) catalogs.add(catalogOf(id));
    ModelDirectory next = ModelDirectory.union(catalogs, STATIC);
    if (!next.equals(directory)) {
      directory = next;
      publish.accept(next);
    }
  }

  private static boolean due(Instant last, long ttlMs, Instant now) {
    return last == null || !now.isBefore(last.plusMillis(ttlMs));
  }

  private static Instant instant(Object v) {
    if (!(v instanceof String s)) return null;
    try {
      return UtcTimes.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
