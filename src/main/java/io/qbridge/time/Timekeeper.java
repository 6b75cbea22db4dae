package io.qbridge.time;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.time.Instant;

/**
 * What time it is and what runs when, in one injectable place: device-login polling and expiry,
 * the account pool's sweeps, cooldowns and lease ages read the time and set their timers here, so a
 * test can drive them step by step instead of sleeping. Production uses {@link #system(Vertx)}.
 *
 * <p>Timer handlers run on the context that set them (the calling verticle's event loop), exactly
 * as Vert.x timers do.
 */
public interface Timekeeper {

  /** Wall-clock time (what is written into rows and compared with {@code expires_at}). */
  Instant now();

  /** A monotonic millisecond count for measuring durations; only differences are meaningful. */
  long monotonicMillis();

  /** Runs {@code handler} once after {@code delayMs}; returns an id for {@link #cancel}. */
  long setTimer(long delayMs, Handler<Long> handler);

  /** Runs {@code handler} every {@code periodMs}; returns an id for {@link #cancel}. */
  long setPeriodic(long periodMs, Handler<Long> handler);

  /** Cancels a timer; false when it had already fired (one-shot) or was unknown. */
  boolean cancel(long id);

  /** The real clock and Vert.x timers. */
  static Timekeeper system(Vertx vertx) {
    return new Timekeeper() {
      @Override public Instant now() { return Instant.now(); }

      @Override public long monotonicMillis() { return System.nanoTime() / 1_000_000; }

      @Override public long setTimer(long delayMs, Handler<Long> handler) { return vertx.setTimer(delayMs, handler); }

      @Override public long setPeriodic(long periodMs, Handler<Long> handler) { return vertx.setPeriodic(periodMs, handler); }

      @Override public boolean cancel(long id) { return vertx.cancelTimer(id); }
    };
  }
}
