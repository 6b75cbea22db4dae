package io.qbridge.account;

import io.vertx.core.Future;

/**
 * ACCOUNT_MAX_CONCURRENCY across every instance sharing the database: each live lease is a row
 * (lease id, account, owner instance, heartbeat), and a lease is granted only while the account's
 * live rows are fewer than the cap, checked and written atomically. The owner renews its rows'
 * heartbeat every {@link #HEARTBEAT_MS}; a row whose heartbeat is older than {@link #STALE_MS}
 * (its instance died) no longer counts and is deleted by the next heartbeat of any instance, so a
 * killed instance's leases stop blocking an account within {@link #STALE_MS}.
 *
 * <p>With no cap (ACCOUNT_MAX_CONCURRENCY = 0, the default) the pool uses {@link #UNLIMITED}: no
 * database work per request at all. Futures complete on the caller's context; failures are
 * {@link StoreException}s. Not thread-safe: owned by the pool verticle's event loop.
 */
interface LeaseLedger {

  /** How often an instance renews the heartbeat of its live leases. */
  long HEARTBEAT_MS = 10_000;
  /** A lease not renewed for this long belongs to a dead instance and stops counting. */
  long STALE_MS = 30_000;

  /** No cap: every lease is granted, nothing is recorded. */
  LeaseLedger UNLIMITED = new LeaseLedger() {
    @Override public Future<Boolean> tryAcquire(String leaseId, String accountId, long nowMs) {
      return Future.succeededFuture(true);
    }

    @Override public Future<Void> release(String leaseId) {
      return Future.succeededFuture();
    }

    @Override public Future<Void> heartbeat(long nowMs) {
      return Future.succeededFuture();
    }

    @Override public Future<Void> releaseAll() {
      return Future.succeededFuture();
    }
  };

  /** Records lease {@code leaseId} on {@code accountId} unless the account's live leases are at the cap; true when recorded. */
  Future<Boolean> tryAcquire(String leaseId, String accountId, long nowMs);

  /** Deletes a lease's row (unknown ids are fine). */
  Future<Void> release(String leaseId);

  /** Renews this instance's leases at {@code nowMs} and deletes every instance's stale ones. */
  Future<Void> heartbeat(long nowMs);

  /** Deletes all of this instance's leases (shutdown). */
  Future<Void> releaseAll();
}
