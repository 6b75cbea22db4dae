package io.qbridge.http.security;

import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link AuthLockout} in this process's memory (thread-safe). Memory is bounded by the addresses
 * that failed within one window: expired entries are swept when the map has doubled since the last
 * sweep, so the cost per failure stays constant on average.
 */
public final class InMemoryAuthLockout implements AuthLockout {

  private record Window(long startMillis, int failures) {}

  private final int maxFailures;
  private final long windowMillis;
  private final Timekeeper time;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private volatile int sweepAt = 1024;

  public InMemoryAuthLockout(int maxFailures, Duration window, Timekeeper time) {
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
    this.time = time;
  }

  @Override
  public Future<Long> retryAfterSeconds(String client) {
    Window w = windows.get(AuthLockout.key(client));
    long now = time.now().toEpochMilli();
    if (w == null || w.failures < maxFailures || now >= w.startMillis + windowMillis) return Future.succeededFuture(0L);
    return Future.succeededFuture(Math.max(1, (w.startMillis + windowMillis - now + 999) / 1000));
  }

  @Override
  public Future<Void> recordFailure(String client) {
    long now = time.now().toEpochMilli();
    windows.compute(AuthLockout.key(client), (k, w) -> w == null || now >= w.startMillis + windowMillis
        ? new Window(now, 1) : new Window(w.startMillis, w.failures + 1));
    if (windows.size() >= sweepAt) sweep(now);
    return Future.succeededFuture();
  }

  private void sweep(long now) {
    windows.values().removeIf(w -> now >= w.startMillis + windowMillis);
    sweepAt = Math.max(1024, windows.size() * 2);
  }
}
