package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces the success-counter writes of a store: at most one write per account in flight, and
 * the successes released meanwhile go out together, as one {@code success_count + n}. Without
 * this, every streamed request wrote its own row update: under a burst (thousands of streams ending
 * within a second) the writes queued on the single SQLite connection until they timed out, and the
 * counters were lost.
 *
 * <p>A write waits for the {@code later} hook (in the server: {@link #FLUSH_MS} on a timer), so an
 * account's successes cost one write per flush interval however many requests end in it. Writing
 * as soon as the previous write finished still cost one SQLite update (a worker-thread hop, a WAL
 * append) per one or two requests at steady load: about a tenth of qbridge's CPU in the benchmark.
 * Readers never see the delay: {@link #written} and {@link #drain} write at once what is pending.
 *
 * <p>A counter is never dropped while the process lives: a write that fails puts its count back
 * (logged), to go out with the account's next flush (or at {@link #drain}); its callers learn of
 * the failure.
 * A failure of the same account is written after the successes released before it
 * ({@link #written}), so {@code error_count} (reset by a success) keeps the order of events.
 */
final class SuccessCounts {
  private static final Logger LOG = LoggerFactory.getLogger(SuccessCounts.class);

  /** How long an account's successes gather before they are written, in the server. */
  static final long FLUSH_MS = 1000;

  private final AccountStore store;
  private final Consumer<Runnable> later;
  private final Map<String, Pending> pending = new HashMap<>();

  /** Writes at once (as soon as the account's previous write finished): the tests' default. */
  SuccessCounts(AccountStore store) {
    this(store, Runnable::run);
  }

  /**
   * @param store where the counts are written ({@link AccountStore#recordSuccesses})
   * @param later runs a flush after the gathering delay (in the server a {@link #FLUSH_MS} timer)
   */
  SuccessCounts(AccountStore store, Consumer<Runnable> later) {
    this.store = store;
    this.later = later;
  }

  /** One success of {@code id}; completes when a write holding it succeeded. */
  synchronized Future<Void> add(String id) {
    Pending p = pending.computeIfAbsent(id, k -> new Pending());
    p.count++;
    Future<Void> mine = p.queued.future();
    schedule(id, p);
    return mine;
  }

  /** The next write of {@code id} goes out after the gathering delay, unless one is due already. */
  private void schedule(String id, Pending p) {
    if (p.writing || p.scheduled) return;
    p.scheduled = true;
    later.accept(() -> flush(id));
  }

  private synchronized void flush(String id) {
    Pending p = pending.get(id);
    if (p == null) return;
    p.scheduled = false;
    if (p.writing) return; // its completion schedules what is left
    if (p.count > 0) write(id, p);
    else pending.remove(id);
  }

  /** Completes once the successes of {@code id} counted so far are written (or failed). */
  synchronized Future<Void> written(String id) {
    Pending p = pending.get(id);
    if (p == null) return Future.succeededFuture();
    if (p.count == 0) return p.inFlight;
    Future<Void> queued = p.queued.future();
    if (p.writing) p.urgent = true; // someone waits: the write in flight is followed at once, not after the delay
    else write(id, p);
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
    p.urgent = false;
    p.inFlight = done.future();
    store.recordSuccesses(id, n).onComplete(ar -> {
      synchronized (this) {
        p.writing = false;
        if (ar.failed()) {
          p.count += n; // never lost: goes out with the next write
          LOG.warn("success count of account {} not written yet ({} pending): {}", id, p.count, ar.cause().getMessage());
        }
        if (p.count > 0 && p.urgent) write(id, p);
        else if (p.count > 0) schedule(id, p); // released while this write ran, or kept after a failure
        else if (!p.scheduled) pending.remove(id);
      }
      done.handle(ar);
    });
  }

  private static final class Pending {
    int count;
    boolean writing;
    /** A flush is waiting for the gathering delay. */
    boolean scheduled;
    /** A reader waits for the counts not in the write in flight: write them as soon as it ends. */
    boolean urgent;
    Promise<Void> queued = Promise.promise();
    Future<Void> inFlight = Future.succeededFuture();
  }
}
