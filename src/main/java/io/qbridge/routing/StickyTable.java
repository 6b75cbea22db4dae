package io.qbridge.routing;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Conversation key (already hashed, see {@link ConversationKeys}) → the account serving it. Bounded
 * memory: at most {@code maxEntries}, the least recently used entry goes first. Sliding TTL: an
 * entry unused for {@code ttlMillis} is gone; every use renews it. Time comes from an injectable
 * monotonic millisecond clock, so tests step through an hour without sleeping.
 *
 * <p>Access order equals last-use order, so expired entries are always at the head: they are
 * dropped from there on every write (amortised O(1)) and checked on every read. Not thread-safe:
 * one instance on the pool verticle's event loop.
 */
public final class StickyTable {

  /** STICKY_MAX_ENTRIES default. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  /** STICKY_TTL_SECONDS default. */
  public static final int DEFAULT_TTL_SECONDS = 3600;

  private record Binding(String accountId, long lastUsedMs) {}

  private final int maxEntries;
  private final long ttlMillis;
  private final LongSupplier clock;
  private final LinkedHashMap<String, Binding> entries;

  /**
   * @param maxEntries bound on remembered conversations, 0 turns stickiness off
   * @param ttlMillis  how long an unused binding lives
   * @param clock      monotonic milliseconds (e.g. {@code Timekeeper::monotonicMillis})
   */
  public StickyTable(int maxEntries, long ttlMillis, LongSupplier clock) {
    this.maxEntries = Math.max(0, maxEntries);
    this.ttlMillis = ttlMillis;
    this.clock = clock;
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Binding> eldest) {
        return size() > StickyTable.this.maxEntries;
      }
    };
  }

  /** The account bound to {@code key}, renewing the binding; {@code null} when none or expired. */
  public String lookup(String key) {
    if (key == null) return null;
    Binding b = entries.get(key);
    if (b == null) return null;
    long now = clock.getAsLong();
    if (now - b.lastUsedMs() >= ttlMillis) {
      entries.remove(key);
      return null;
    }
    entries.put(key, new Binding(b.accountId(), now));
    return b.accountId();
  }

  /** Binds {@code key} to {@code accountId} (re-binding replaces), evicting expired and surplus entries. */
  public void bind(String key, String accountId) {
    if (key == null || accountId == null || maxEntries == 0) return;
    long now = clock.getAsLong();
    dropExpired(now);
    entries.put(key, new Binding(accountId, now));
  }

  /** Forgets every binding to {@code accountId} (deleted account); O(size), for rare admin actions. */
  public void forgetAccount(String accountId) {
    entries.values().removeIf(b -> b.accountId().equals(accountId));
  }

  public int size() {
    return entries.size();
  }

  private void dropExpired(long now) {
    for (Iterator<Binding> it = entries.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastUsedMs() < ttlMillis) return;
      it.remove();
    }
  }

  /**
   * The sticky choice: the account bound to {@code key} when {@code usable} accepts it, else
   * {@code fallback}'s pick, which is then bound to the key. Without a key, just the fallback.
   *
   * @param usable   whether an account may take the request now (enabled, not held, has the
   *                 model, quota left, below its concurrency cap, not already tried)
   * @param fallback the normal policy; may return {@code null} (nothing to lend)
   */
  public String choose(String key, java.util.function.Predicate<String> usable, java.util.function.Supplier<String> fallback) {
    String bound = lookup(key);
    if (bound != null && usable.test(bound)) return bound;
    String picked = fallback.get();
    if (key != null && picked != null) bind(key, picked);
    return picked;
  }
}
