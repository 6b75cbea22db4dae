package io.qbridge.time;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Timekeeper} for tests: time stands still until {@link #advance} moves it, and then every
 * timer that came due fires, in time order, on the context that set it. A test steps through a
 * 10-minute device login in milliseconds, and "nothing happens before the deadline" is checked by
 * advancing to just before it.
 */
public final class ManualTimekeeper implements Timekeeper {

  private record Scheduled(long id, long dueMs, long periodMs, Handler<Long> handler, Context context) {}

  private final AtomicLong nowMs;
  private final Instant epoch;
  private final AtomicLong ids = new AtomicLong(1);
  private final ConcurrentHashMap<Long, Scheduled> timers = new ConcurrentHashMap<>();

  public ManualTimekeeper(Instant start) {
    this.epoch = start;
    this.nowMs = new AtomicLong(0);
  }

  public ManualTimekeeper() {
    this(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS)); // rows keep milliseconds
  }

  @Override public Instant now() { return epoch.plusMillis(nowMs.get()); }

  @Override public long monotonicMillis() { return nowMs.get(); }

  @Override
  public long setTimer(long delayMs, Handler<Long> handler) {
    return schedule(delayMs, 0, handler);
  }

  @Override
  public long setPeriodic(long periodMs, Handler<Long> handler) {
    return schedule(periodMs, periodMs, handler);
  }

  private long schedule(long delayMs, long periodMs, Handler<Long> handler) {
    long id = ids.getAndIncrement();
    Context context = io.vertx.core.Vertx.currentContext();
    timers.put(id, new Scheduled(id, nowMs.get() + Math.max(1, delayMs), periodMs, handler, context));
    return id;
  }

  @Override
  public boolean cancel(long id) {
    return timers.remove(id) != null;
  }

  /** One-shot and periodic timers waiting to fire. */
  public int pendingTimers() {
    return timers.size();
  }

  /**
   * Moves time forward by {@code ms}, firing every timer that comes due on the way (periodic ones
   * as often as they fall due), each on its own context, and waits until those handlers ran.
   * Call from the test thread.
   */
  public void advance(long ms) {
    long target = nowMs.get() + ms;
    while (true) {
      Scheduled next = timers.values().stream().filter(t -> t.dueMs() <= target)
          .min(Comparator.comparingLong(Scheduled::dueMs).thenComparingLong(Scheduled::id)).orElse(null);
      if (next == null) break;
      nowMs.set(Math.max(nowMs.get(), next.dueMs()));
      if (next.periodMs() > 0) {
        timers.put(next.id(), new Scheduled(next.id(), next.dueMs() + next.periodMs(), next.periodMs(), next.handler(),
            next.context()));
      } else {
        timers.remove(next.id());
      }
      fire(next);
    }
    nowMs.set(target);
  }

  private void fire(Scheduled t) {
    if (t.context() == null) {
      t.handler().handle(t.id());
      return;
    }
    Promise<Void> ran = Promise.promise();
    t.context().runOnContext(v -> {
      try {
        t.handler().handle(t.id());
      } finally {
        ran.complete();
      }
    });
    Future<Void> f = ran.future();
    try {
      f.await(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("timer handler did not run within 10 s", e);
    }
  }

  /** Milliseconds until the next one-shot timer is due, or -1 when none is set (periodic ones are ignored). */
  public long nextTimerInMs() {
    return timers.values().stream().filter(t -> t.periodMs() == 0).mapToLong(Scheduled::dueMs).min()
        .stream().map(due -> due - nowMs.get()).findFirst().orElse(-1);
  }

  /** One-shot timers waiting to fire. */
  public long pendingOneShotTimers() {
    return timers.values().stream().filter(t -> t.periodMs() == 0).count();
  }
}
