package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * An {@link AccountStore} that answers {@link #findLeaseCandidates} from memory. Leasing is on the
 * path of every request, and a database read there (a worker-thread hop and a query on the single
 * SQLite connection, behind the counter writes) was the largest part of qbridge's own latency.
 *
 * <p>The leasable rows (enabled, holding a token) are loaded at most every {@link #TTL_MS} and
 * dropped after every write made through this store that can change who is leasable (everything
 * but {@code recordSuccess}); holds are checked against {@code now} on each call. In a single
 * instance the view is therefore exact; instances sharing one database see each other's changes
 * within {@link #TTL_MS}. Same semantics as the SQL query it replaces: random order, exclusions,
 * cooldown/park times from the row's {@code other}.
 */
final class CachedLeaseStore implements AccountStore {

  static final long TTL_MS = 1000;

  private final AccountStore delegate;
  private final Random random = new Random();
  private List<Account> leasable;
  private long loadedAtNanos;
  private long generation;

  CachedLeaseStore(AccountStore delegate) {
    this.delegate = delegate;
  }

  @Override
  public Future<List<Account>> findLeaseCandidates(int limit, Instant now, Collection<String> exclude) {
    return leasable().map(rows -> {
      List<Account> eligible = new ArrayList<>(rows.size());
      for (Account a : rows) {
        if (!exclude.contains(a.id()) && AccountHolds.activeHold(a.other(), now) == null) eligible.add(a);
      }
      Collections.shuffle(eligible, random);
      return eligible.size() > limit ? List.copyOf(eligible.subList(0, limit)) : eligible;
    });
  }

  private synchronized Future<List<Account>> leasable() {
    if (leasable != null && System.nanoTime() - loadedAtNanos < TimeUnit.MILLISECONDS.toNanos(TTL_MS)) {
      return Future.succeededFuture(leasable);
    }
    long started = generation;
    return delegate.findEnabled().map(rows -> {
      List<Account> withToken = rows.stream().filter(CachedLeaseStore::hasToken).toList();
      synchronized (this) {
        // a write that finished while we read makes this result stale: use it once, do not keep it
        if (started == generation) {
          leasable = withToken;
          loadedAtNanos = System.nanoTime();
        }
      }
      return withToken;
    });
  }

  private static boolean hasToken(Account a) {
    return (a.refreshToken() != null && !a.refreshToken().isEmpty()) || (a.accessToken() != null && !a.accessToken().isEmpty());
  }

  private synchronized void invalidate() {
    generation++;
    leasable = null;
  }

  private <T> Future<T> writing(Future<T> write) {
    return write.andThen(ar -> invalidate());
  }

  // ---- reads and counter writes: straight through ----

  @Override public Future<List<Account>> findAll() { return delegate.findAll(); }

  @Override public Future<Optional<Account>> findById(String id) { return delegate.findById(id); }

  @Override public Future<List<Account>> findEnabled() { return delegate.findEnabled(); }

  @Override public Future<Integer> countEnabled() { return delegate.countEnabled(); }

  @Override public Future<Void> ping() { return delegate.ping(); }

  /** Counters only: who is leasable does not change. */
  @Override public Future<Void> recordSuccess(String id) { return delegate.recordSuccess(id); }

  // ---- writes that can change who is leasable ----

  @Override public Future<Account> insert(Account account) { return writing(delegate.insert(account)); }

  @Override public Future<Optional<Account>> update(String id, AccountPatch patch) { return writing(delegate.update(id, patch)); }

  @Override public Future<Boolean> delete(String id) { return writing(delegate.delete(id)); }

  @Override public Future<Void> recordFailure(String id, int maxErrorCount) { return writing(delegate.recordFailure(id, maxErrorCount)); }

  @Override
  public Future<Void> saveTokens(String id, String accessToken, String refreshToken, Instant expiresAt,
      Instant refreshTime, RefreshStatus status) {
    return writing(delegate.saveTokens(id, accessToken, refreshToken, expiresAt, refreshTime, status));
  }

  @Override
  public Future<Void> markRefreshFailed(String id, Instant at, int maxErrorCount) {
    return writing(delegate.markRefreshFailed(id, at, maxErrorCount));
  }

  @Override public Future<Void> mergeOther(String id, JsonObject patch) { return writing(delegate.mergeOther(id, patch)); }

  @Override public Future<Void> disable(String id, String reason, Instant at) { return writing(delegate.disable(id, reason, at)); }

  @Override
  public Future<Boolean> rewriteSecrets(String id, Secrets expected, Secrets replacement) {
    return writing(delegate.rewriteSecrets(id, expected, replacement));
  }

  @Override public Future<Void> compact() { return delegate.compact(); }

  @Override public Future<Void> close() { return delegate.close(); }
}
