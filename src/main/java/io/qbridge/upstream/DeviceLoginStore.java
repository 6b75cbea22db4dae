package io.qbridge.upstream;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * Device-login sessions in the shared database, so a login started on one instance can be read and
 * claimed on any other, and outlives the instance that started it.
 *
 * <p>Each pending session has one <b>poller</b>, the instance polling AWS for its tokens, named
 * with a lease ({@code pollUntilMs}) the poller renews; when a poller dies its lease runs out and
 * another instance adopts the session. Every state change of a pending session is conditional on
 * the caller still being its poller, so a poller that lost its session (taken over after a long
 * pause) can no longer change it. The OIDC server hands the tokens of a device code out once, so
 * one account is created per login whoever polls.
 *
 * <p>Times are epoch milliseconds of the instances' wall clocks. Futures complete on the caller's
 * context; failures are {@link io.qbridge.store.DatabaseException}s or other store failures.
 */
interface DeviceLoginStore {

  /**
   * One session. The OIDC client and device code are held only while it is pending.
   *
   * @param status   {@code pending}, {@code completed}, {@code failed} or {@code expired}
   * @param account  the created account's admin JSON (no secrets), when completed
   */
  record Row(String authId, String label, boolean enabled, String clientId, String clientSecret, String deviceCode,
             long intervalMs, long expiresAtMs, String status, String error, JsonObject account, String poller,
             long pollUntilMs, long settledAtMs) {

    /** This row with {@code clientSecret} and {@code deviceCode} in place of its own. */
    Row withSecrets(String clientSecret, String deviceCode) {
      return new Row(authId, label, enabled, clientId, clientSecret, deviceCode, intervalMs, expiresAtMs, status, error,
          account, poller, pollUntilMs, settledAtMs);
    }
  }

  /** Stores a new pending session. */
  Future<Void> insert(Row row);

  Future<Optional<Row>> find(String authId);

  /** Pending sessions whose device code is still valid at {@code nowMs}. */
  Future<Integer> countPending(long nowMs);

  /**
   * Ends a pending session polled by {@code poller}: status, error, account; the secrets are
   * dropped. False when the session is not pending or polled by someone else.
   */
  Future<Boolean> settle(String authId, String poller, String status, String error, JsonObject account, long nowMs);

  /** Extends the poll lease of every pending session of {@code poller} to {@code untilMs}. */
  Future<Void> renew(String poller, long untilMs);

  /**
   * Takes over pending sessions whose poll lease ran out before {@code nowMs} (their poller died),
   * with a lease until {@code untilMs}; the ones this call won.
   */
  Future<List<Row>> adopt(String poller, long nowMs, long untilMs);

  /** Ends {@code poller}'s leases now (shutdown), so another instance adopts its sessions at once. */
  Future<Void> abandon(String poller);

  /** Deletes sessions settled before {@code cutoffMs}, and pending ones whose code expired before it. */
  Future<Void> deleteFinishedBefore(long cutoffMs);
}
