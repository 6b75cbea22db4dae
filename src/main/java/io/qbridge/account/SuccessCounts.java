package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Coalesces the success-counter writes of a store: at most one write per account in flight, and
 * the successes released meanwhile go out together, as one {@code success_count + n}, as soon as
 * it finishes. Without this, every streamed request wrote its own row update: under a burst
 * (thousands of streams ending within a second) the writes queued on the single SQLite connection
 * until they timed out, and the counters were lost.
 *
 * <p>A counter is never dropped while the process lives: a write that fails puts its count back,
 * to go out with the account's next write (or at {@link #drain}); its callers learn of the failure.
 * A failure of the same account is written after the successes released before it
 * ({@link #written}), so {@code error_count} (reset by a success) keeps the order of events.
 */
final class SuccessCounts {

  private final AccountStore store;
  private final Map<String, Pending> pending = new HashMap<>();

  /** @param store where the counts are written ({@link AccountStore#recordSuccesses}) */
  SuccessCounts(AccountStore store) {
    this.store = store;
  }

  /** One success of {@code id}; completes when a write holding it succeeded. */
  synchronized Future<Void> add(String id) {
    Pending p = pending.computeIfAbsent(id, k -> new Pending());
    p.count++;
    Future<Void> mine = p.queued.future();
    if (!p.writing) write(id, p);
    return mine;
  }

  /** Completes once the successes of {@code id} counted so far are written (or failed). */
  synchronized Future<Void> written(String id) {
    Pending p = pending.get(id);
    if (p == null) return Future.succeededFuture();
    if (p.count == 0) return p.inFlight;
    Future<Void> queued = p.queued.future();
    if (!p.writing) write(id, p);
    return queued;
  }

  /** Writes everything counted so far; completes when those writes ended (failed ones included). */
  synchronized Future<Void> drain() {
    List<Future<Void>> all = new ArrayList<>();
    for (String id : List.copyOf(pending.keySet())) all.add(written(id).recover(t -> Future.succeededFuture()));
    return Future.join(all).mapEmpty();
  }

  private void write(String id, Pending p) {
    int n = p.count;
    Promise<Void> done = p.queued;
    p.count = 0;
    p.queued = Promise.promise();
    p.writing = true;
    p.inFlight = done.future();
    store.recordSuccesses(id, n).onComplete(ar -> {
      synchronized (this) {
        p.writing = false;
        boolean more = p.count > 0; // released while this write ran
        if (ar.failed()) p.count += n; // never lost: goes out with the next write
        if (more) write(id, p);
        else if (p.count == 0) pending.remove(id);
      }
      done.handle(ar);
    });
  }

  private static final class Pending {
    int count;
    boolean writing;
    Promise<Void> queued = Promise.promise();
    Future<Void> inFlight = Future.succeededFuture();
  }
}
