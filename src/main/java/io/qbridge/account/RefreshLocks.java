package io.qbridge.account;

import io.vertx.core.Future;

/**
 * One token refresh per account at a time across every qbridge instance sharing the database: a
 * row per account being refreshed, taken with one conditional write (nobody holds it, or the
 * holder's time ran out) and deleted when the refresh is saved. The holder re-reads the account
 * after taking it, so the refresh token it sends is the newest one (rotation-safe).
 *
 * <p>Contract: futures complete on the caller's context; failures are {@link StoreException}s.
 * Times are epoch milliseconds of the instances' wall clocks (kept in sync by NTP: a skew shortens
 * or lengthens a dead holder's lock by as much).
 */
interface RefreshLocks {

  /**
   * Takes the refresh lock of {@code accountId} for {@code owner} until {@code untilMs}, unless
   * another holder's lock is still valid at {@code nowMs}; true when taken.
   */
  Future<Boolean> tryAcquire(String accountId, String owner, long nowMs, long untilMs);

  /** Gives the lock back if {@code owner} still holds it (a no-op otherwise). */
  Future<Void> release(String accountId, String owner);
}
