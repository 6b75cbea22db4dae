package io.qbridge.telemetry;

import io.qbridge.quota.UsageLimits;

/**
 * What qbridge counts, in its own words; the Micrometer/Prometheus side lives behind this
 * interface, so the chat flow and the account pool stay free of any metrics library. Every method
 * is cheap and non-blocking (safe on an event loop) and takes only bounded values: API family,
 * Amazon Q model id, status code, error kind, account id — never client-typed strings.
 */
public interface Metrics {

  /** A request ended; {@code ttftNanos} is -1 unless it was a stream. */
  void requestEnded(RequestFacts facts, int status, long durationNanos, long ttftNanos);

  /** An SSE response started (headers sent) or ended: the active-streams gauge. */
  void streamOpened();

  void streamClosed();

  /** A token refresh finished with {@code result} ({@code success}, {@code invalid_grant}, {@code error}, …). */
  void tokenRefresh(String result);

  /** The pool's accounts by state (active, cooldown, parked, disabled, …): replaces the previous census. */
  void accounts(java.util.Map<String, Integer> countByState);

  /** Requests in flight on {@code accountId} changed by {@code delta} (+1 leased, -1 released). */
  void accountInflight(String accountId, int delta);

  /** The account was deleted: its per-account series go. */
  void accountRemoved(String accountId);

  /** The account's usage as last read ({@code GetUsageLimits}): replaces the previous one. */
  default void accountUsage(String accountId, UsageLimits usage) {}

  /** Records nothing: for code paths and tests that do not care. */
  Metrics NONE = new Metrics() {
    @Override public void requestEnded(RequestFacts facts, int status, long durationNanos, long ttftNanos) {}
    @Override public void streamOpened() {}
    @Override public void streamClosed() {}
    @Override public void tokenRefresh(String result) {}
    @Override public void accounts(java.util.Map<String, Integer> countByState) {}
    @Override public void accountInflight(String accountId, int delta) {}
    @Override public void accountRemoved(String accountId) {}
  };
}
