package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link AccountStore} that answers {@link #findLeaseCandidates} from memory. Leasing is on the
 * path of every request, and a database read there (a worker-thread hop and a query on the single
 * SQLite connection, behind the counter writes) was the largest part of qbridge's own latency.
 *
 * <h2>Staleness</h2>
 * The leasable rows (enabled, holding a token) are loaded at most every {@link #TTL_MS} (one load
 * at a time; concurrent leases wait for it) and dropped after every write made through this store
 * that can change who is leasable (everything but {@code recordSuccess}); holds are checked
 * against {@code now} on each call. In a single instance the view is therefore exact. Instances
 * sharing one PostgreSQL database drop their view at once when another writes (a trigger sends
 * {@code NOTIFY qbridge_accounts}, {@link #invalidate} runs on every instance, see
 * {@link AccountStores#listenForChanges}); when that notification is lost (the listening
 * connection is down) the TTL still bounds the staleness: a change is honoured everywhere within
 * {@link #TTL_MS} plus one load (documented as at most 2 s).
 *
 * <h2>Database down</h2>
 * When a load fails, the last view that did load keeps answering for up to
 * {@link #OUTAGE_GRACE_MS} after it was loaded (logged once per outage), so requests keep being
 * served from the last known pool state; holds set meanwhile in this process still apply. Past
 * that, or without any earlier view, the load's failure is returned (the lease fails as "store
 * unavailable"). The next load that succeeds ends the outage; nothing needs a restart.
 *
 * <h2>Success counters</h2>
 * The success counter, the one write of every request, is gathered by {@link SuccessCounts} and
 * written once per account per flush; the account reads ({@link #findById}, {@link #findAll})
 * write and wait for the counts released before them, so they never see the delay.
 */
final class CachedLeaseStore implements AccountStore {
  private static final Logger LOG = LoggerFactory.getLogger(CachedLeaseStore.class);

  static final long TTL_MS = 1000;
  /** How long the last loaded view serves leases while the database cannot be read. */
  static final long OUTAGE_GRACE_MS = TimeUnit.MINUTES.toMillis(5);

  private final AccountStore delegate;
  private final SuccessCounts successes;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Random random = new Random();
  /** The current view; null when dropped or never loaded. */
  private List<Account> leasable;
  private long loadedAtNanos;
  /** The last view that loaded (kept when dropped) and when, for outages. */
  private List<Account> lastGood;
  private long lastGoodAtNanos;
  private boolean outage;
  private Future<List<Account>> loading;
  private long generation;
  /**
   * Accounts this instance is disabling: left out of every view until a load that started at or
   * after the generation given here (Long.MAX_VALUE while the write is pending).
   */
  private final Map<String, Long> disabling = new HashMap<>();

  /**
   * @param later runs a success-count flush after {@link SuccessCounts#FLUSH_MS} (the pool verticle's
   *              timer)
   */
  CachedLeaseStore(AccountStore delegate, Consumer<Runnable> later) {
    this(delegate, TTL_MS, System::nanoTime, later);
  }

  /** Success counts are written at once (as soon as the account's previous write ended). */
  CachedLeaseStore(AccountStore delegate, long ttlMs, LongSupplier nanoTime) {
    this(delegate, ttlMs, nanoTime, Runnable::run);
  }

  /**
   * @param ttlMs how long a loaded view serves without a change notification (tests isolate
   *              NOTIFY with a long one)
   * @param nanoTime the monotonic clock of the TTL and the outage grace (tests step it)
   */
  CachedLeaseStore(AccountStore delegate, long ttlMs, LongSupplier nanoTime, Consumer<Runnable> later) {
    this.delegate = delegate;
    this.successes = new SuccessCounts(delegate, later);
    this.ttlNanos = TimeUnit.MILLISECONDS.toNanos(ttlMs);
    this.nanoTime = nanoTime;
  }

  @Override
  public Future<List<Account>> findLeaseCandidates(int limit, Instant now, Collection<String> exclude) {
    return leasable().map(rows -> {
      List<Account> eligible = new ArrayList<>(rows.size());
      for (Account a : rows) {
        if (!exclude.contains(a.id()) && !disabling(a.id()) && AccountHolds.activeHold(a.otherForReading(), now) == null) eligible.add(a);
      }
      Collections.shuffle(eligible, random);
      return eligible.size() > limit ? List.copyOf(eligible.subList(0, limit)) : eligible;
    });
  }

  private synchronized boolean disabling(String id) {
    return !disabling.isEmpty() && disabling.containsKey(id);
  }

  private synchronized Future<List<Account>> leasable() {
    if (leasable != null && nanoTime.getAsLong() - loadedAtNanos < ttlNanos) {
      return Future.succeededFuture(leasable);
    }
    if (loading != null) return loading;
    Future<List<Account>> load = load();
    if (!load.isComplete()) loading = load; // load() clears it when done (at once, if it completed already)
    return load;
  }

  private Future<List<Account>> load() {
    long started = generation;
    return delegate.findEnabled().transform(ar -> {
      synchronized (this) {
        loading = null;
        if (ar.failed()) return staleOrFail(ar.cause());
        List<Account> withToken = ar.result().stream().filter(CachedLeaseStore::hasToken).toList();
        if (outage) {
          outage = false;
          LOG.info("account store reachable again; lease candidates reloaded");
        }
        disabling.values().removeIf(trustedFrom -> started >= trustedFrom);
        lastGood = withToken;
        lastGoodAtNanos = nanoTime.getAsLong();
        // a write that finished while we read makes this result stale: use it once, do not keep it
        if (started == generation) {
          leasable = withToken;
          loadedAtNanos = lastGoodAtNanos;
        }
        return Future.succeededFuture(withToken);
      }
    });
  }

  /** Called with the lock held: the last good view within the grace period, else the failure. */
  private Future<List<Account>> staleOrFail(Throwable err) {
    boolean fresh = lastGood != null
        && nanoTime.getAsLong() - lastGoodAtNanos < TimeUnit.MILLISECONDS.toNanos(OUTAGE_GRACE_MS);
    if (!outage) {
      outage = true;
      LOG.warn("account store unreachable ({}); {}", SqlAccountStore.describe(err), fresh
          ? "leasing from the last loaded pool state for up to " + TimeUnit.MILLISECONDS.toSeconds(OUTAGE_GRACE_MS) + " s"
          : "no recent pool state to lease from");
    }
    if (!fresh) return Future.failedFuture(err);
    // try the database again after a TTL, not on every lease
    leasable = lastGood;
    loadedAtNanos = nanoTime.getAsLong();
    return Future.succeededFuture(lastGood);
  }

  private static boolean hasToken(Account a) {
    return (a.refreshToken() != null && !a.refreshToken().isEmpty()) || (a.accessToken() != null && !a.accessToken().isEmpty());
  }

  /** Drops the current view (not the outage fallback): the next lease loads the rows again. */
  synchronized void invalidate() {
    generation++;
    leasable = null;
  }

  private <T> Future<T> writing(Future<T> write) {
    return write.andThen(ar -> invalidate());
  }

  // ---- reads and counter writes: straight through ----

  /** After the success counts released so far are written: a reader sees every request that ended before it. */
  @Override public Future<List<Account>> findAll() { return successes.drain().transform(ar -> delegate.findAll()); }

  @Override
  public Future<Optional<Account>> findById(String id) {
    return successes.written(id).transform(ar -> delegate.findById(id));
  }

  @Override public Future<List<Account>> findEnabled() { return delegate.findEnabled(); }

  @Override public Future<Integer> countEnabled() { return delegate.countEnabled(); }

  @Override public Future<Void> ping() { return delegate.ping(); }

  /**
   * Counters only: who is leasable does not change. Accepted at once and gathered by
   * {@link SuccessCounts} (one write per account per flush; a failed write is logged and its count
   * kept for the next): a release does not wait for the database.
   */
  @Override
  public Future<Void> recordSuccess(String id) {
    successes.add(id);
    return Future.succeededFuture();
  }

  @Override public Future<Void> recordSuccesses(String id, int count) { return delegate.recordSuccesses(id, count); }

  // ---- writes that can change who is leasable ----

  @Override public Future<Account> insert(Account account) { return writing(delegate.insert(account)); }

  @Override public Future<Optional<Account>> update(String id, AccountPatch patch) { return writing(delegate.update(id, patch)); }

  @Override public Future<Boolean> delete(String id) { return writing(delegate.delete(id)); }

  /** After the successes released before it: a success resets {@code error_count}. */
  @Override
  public Future<Void> recordFailure(String id, int maxErrorCount) {
    return writing(successes.written(id).transform(ar -> delegate.recordFailure(id, maxErrorCount)));
  }

  @Override
  public Future<Void> saveTokens(String id, String accessToken, String refreshToken, Instant expiresAt,
      Instant refreshTime, RefreshStatus status) {
    return writing(delegate.saveTokens(id, accessToken, refreshToken, expiresAt, refreshTime, status));
  }

  @Override
  public Future<Void> markRefreshFailed(String id, Instant at, int maxErrorCount) {
    return writing(successes.written(id).transform(ar -> delegate.markRefreshFailed(id, at, maxErrorCount)));
  }

  @Override public Future<Void> mergeOther(String id, JsonObject patch) { return writing(delegate.mergeOther(id, patch)); }

  /**
   * Out of the leasable view at once, not when the write has landed: a request's failure (a
   * suspended account) disables the account while the client's next request may already be
   * leasing, and a view loaded before the write would hand that account out once more.
   */
  @Override
  public Future<Void> disable(String id, String reason, Instant at) {
    synchronized (this) {
      disabling.put(id, Long.MAX_VALUE);
    }
    return writing(delegate.disable(id, reason, at)).andThen(ar -> {
      synchronized (this) {
        // trusted again from the first load that starts after this write (writing() bumped the generation)
        disabling.put(id, generation);
      }
    });
  }

  @Override
  public Future<Boolean> rewriteSecrets(String id, Secrets expected, Secrets replacement) {
    return writing(delegate.rewriteSecrets(id, expected, replacement));
  }

  @Override public Future<Void> compact() { return delegate.compact(); }

  @Override public Future<Void> close() { return successes.drain().transform(ar -> delegate.close()); }
}
