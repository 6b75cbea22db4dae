package io.qbridge.http.security;

import io.qbridge.time.Timekeeper;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brute-force brake for admin authentication, shared by every HTTP verticle of the process
 * (thread-safe). Failed attempts are counted per client address in a window that opens with the
 * first failure; once {@code maxFailures} are reached, the address is refused (429) until the
 * window ends, whatever it presents, correct keys included, so guessing stays at 10 tries a minute.
 *
 * <p>Memory is bounded by the addresses that failed within one window: expired entries are swept
 * when the map has doubled since the last sweep, so the cost per failure stays constant on average.
 */
public final class AuthLockout {

  private record Window(long startMillis, int failures) {}

  private final int maxFailures;
  private final long windowMillis;
  private final Timekeeper time;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private volatile int sweepAt = 1024;

  public AuthLockout(int maxFailures, Duration window, Timekeeper time) {
    this.maxFailures = maxFailures;
    this.windowMillis = window.toMillis();
    this.time = time;
  }

  /** Seconds (rounded up, at least 1) until {@code client} may try again; 0 when not locked. */
  public long retryAfterSeconds(String client) {
    Window w = windows.get(key(client));
    long now = time.monotonicMillis();
    if (w == null || w.failures < maxFailures || now >= w.startMillis + windowMillis) return 0;
    return Math.max(1, (w.startMillis + windowMillis - now + 999) / 1000);
  }

  /** Counts one failed authentication from {@code client}. */
  public void recordFailure(String client) {
    long now = time.monotonicMillis();
    windows.compute(key(client), (k, w) -> w == null || now >= w.startMillis + windowMillis
        ? new Window(now, 1) : new Window(w.startMillis, w.failures + 1));
    if (windows.size() >= sweepAt) sweep(now);
  }

  private void sweep(long now) {
    windows.values().removeIf(w -> now >= w.startMillis + windowMillis);
    sweepAt = Math.max(1024, windows.size() * 2);
  }

  private static String key(String client) {
    return client == null ? "-" : client;
  }
}
