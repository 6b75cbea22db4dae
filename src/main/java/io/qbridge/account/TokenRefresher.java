package io.qbridge.account;

import io.qbridge.bus.AccountAction;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.bus.TokenRefreshClient;
import io.qbridge.bus.TokenRefreshClient.Tokens;
import io.qbridge.telemetry.Metrics;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps access tokens fresh. Single flight: the lease-time refresh, the forced refresh after an
 * upstream 403, the admin's and the background sweep's all go through {@link #refreshOnce}, so two
 * refreshes of one account never run at once and concurrent callers share one OIDC call. Every
 * refresh re-reads the row first, so a caller holding an older snapshot never refreshes twice.
 *
 * <p><b>Across instances</b> sharing the database the same holds through {@link RefreshLocks}: the
 * refresh runs only in the instance that takes the account's lock, which re-reads the row after
 * taking it (so the refresh token it sends is the newest one: rotation-safe) and gives the lock
 * back once the result is saved. An instance that finds the lock taken polls the row every
 * {@link #WAIT_POLL_MS} until the holder's result appears there (then it uses that token, or
 * reports that refresh's failure without counting it again), or the lock is free again (the holder
 * failed without a result, or died: a lock lives {@link #LOCK_MS} at most), then tries to take it
 * itself; it gives up after {@link #WAIT_MS}. The background sweep does not wait: an account
 * another instance is refreshing is skipped.
 *
 * <p>A failure the refresher reports carries its {@link AccountAction}: COUNT_ERROR sets
 * {@code last_refresh_status = failed} and counts one failure, DISABLE (invalid_grant) also
 * disables the account with {@code other.disabledReason = "invalid_grant"}, NONE (no refresher,
 * our own capacity) blames nobody. Callers always get REFRESH_FAILED.
 *
 * <p>Not thread-safe: owned by the pool verticle's event loop.
 */
final class TokenRefresher {
  private static final Logger LOG = LoggerFactory.getLogger(TokenRefresher.class);

  /** Tokens expiring within this margin are refreshed before they are lent. */
  static final Duration REFRESH_MARGIN = Duration.ofSeconds(60);
  /**
   * Lifetime assumed for an access token of unknown expiry (given by an admin, or a q2api row
   * without {@code expires_at}), counted from its last successful refresh, else from creation:
   * q2api's own refresh age (1500 s).
   */
  static final Duration ASSUMED_TOKEN_LIFETIME = Duration.ofSeconds(1500);
  /** q2api's default when the refresh reply has no {@code expiresIn}. */
  static final long DEFAULT_EXPIRES_IN_SECONDS = 3600;
  /**
   * Lifetime of a refresh lock: longer than one refresh call may take (the refresh bus timeout, 20
   * s, plus saving), so a live holder never loses it; a dead holder's lock blocks the account's
   * refresh for this long at most.
   */
  static final long LOCK_MS = 30_000;
  /** How often an instance waiting for another's refresh reads the row again. */
  static final long WAIT_POLL_MS = 250;
  /** Longest wait for another instance's refresh: past the lock's lifetime the waiter takes it itself. */
  static final long WAIT_MS = LOCK_MS + 5_000;

  /**
   * @param maxErrorCount        MAX_ERROR_COUNT, {@code Integer.MAX_VALUE} when the rule is off
   * @param maxAgeSeconds        REFRESH_MAX_AGE_SECONDS
   * @param beforeExpirySeconds  REFRESH_BEFORE_EXPIRY_SECONDS
   */
  record Settings(int maxErrorCount, long maxAgeSeconds, long beforeExpirySeconds) {}

  private final AccountStore store;
  private final RefreshLocks locks;
  private final String owner;
  private final TokenRefreshClient client;
  private final Timekeeper time;
  private final Settings settings;
  private final Map<String, Future<Account>> running = new HashMap<>();
  private final Metrics metrics;
  private boolean sweeping;
  private boolean sweepAgain;
  private Consumer<String> onRefreshed = id -> {};

  /**
   * @param locks   the refresh locks shared with the other instances on the database
   * @param owner   this instance's id in {@code locks}
   * @param metrics counts every OIDC refresh by result: success, failure, invalid_grant, local_capacity
   */
  TokenRefresher(AccountStore store, RefreshLocks locks, String owner, TokenRefreshClient client, Timekeeper time,
      Settings settings, Metrics metrics) {
    this.metrics = metrics;
    this.store = store;
    this.locks = locks;
    this.owner = owner;
    this.client = client;
    this.time = time;
    this.settings = settings;
  }

  /** Told the account id after every successful refresh (the pool re-reads entitlements that waited for a new token). */
  void onRefreshed(Consumer<String> listener) {
    this.onRefreshed = listener;
  }

  /** The account as it is when its token is fresh, else after a refresh (if it has a refresh token). */
  Future<Account> withFreshToken(Account account) {
    if (!needsRefresh(account, time.now()) || !account.hasRefreshToken()) {
      // fresh, or nothing to refresh with: the stored access token is all there is
      return Future.succeededFuture(account);
    }
    return refreshOnce(account.id(), true, a -> needsRefresh(a, time.now()), true);
  }

  /** Forced: the upstream rejected {@code staleToken}; refreshes unless the account's token already changed. */
  Future<Account> replaceRejected(String accountId, String staleToken) {
    return refreshOnce(accountId, true, a -> !a.hasAccessToken() || a.accessToken().equals(staleToken), true);
  }

  /** An admin's refresh: always, even of a disabled account; the failure carries the operator detail. */
  Future<Account> forceForAdmin(String accountId) {
    return refreshOnce(accountId, false, a -> true, false)
        .recover(err -> Future.failedFuture(err instanceof BusError f && f.failure() == BusFailure.REFRESH_FAILED
            && f.operatorDetail() != null ? new BusError(BusFailure.REFRESH_FAILED, f.getMessage() + " (" + f.operatorDetail() + ")")
            : err));
  }

  /**
   * Single flight: one refresh per account at a time, shared by every caller that needs it. The
   * row is re-read first and refreshed only if {@code needed} still holds for it (and, with
   * {@code requireEnabled}, it is still enabled). A caller that joins a running refresh whose
   * result still fails its own {@code needed} (that refresh found nothing to do) starts one more,
   * once ({@code mayRejoin}). With {@code waitForOthers} false (the sweep), an account another
   * instance is refreshing fails at once instead of being waited for.
   */
  private Future<Account> refreshOnce(String accountId, boolean requireEnabled, Predicate<Account> needed,
      boolean mayRejoin) {
    return refreshOnce(accountId, requireEnabled, needed, mayRejoin, true);
  }

  private Future<Account> refreshOnce(String accountId, boolean requireEnabled, Predicate<Account> needed,
      boolean mayRejoin, boolean waitForOthers) {
    Future<Account> current = running.get(accountId);
    if (current != null) {
      return !mayRejoin ? current : current.compose(a -> needed.test(a)
          ? refreshOnce(accountId, requireEnabled, needed, false, waitForOthers) : Future.succeededFuture(a));
    }
    long waitUntil = time.monotonicMillis() + WAIT_MS;
    Future<Account> refresh = read(accountId, requireEnabled).compose(account -> {
      if (!needed.test(account)) return Future.succeededFuture(account);
      if (!account.hasRefreshToken()) return Future.failedFuture(refreshFailed(false, "the account has no refresh token"));
      return underLock(account, requireEnabled, needed, waitForOthers, waitUntil);
    });
    running.put(accountId, refresh);
    refresh.onComplete(ar -> running.remove(accountId, refresh));
    return refresh;
  }

  /** The row, if it exists (and, with {@code requireEnabled}, is enabled). */
  private Future<Account> read(String accountId, boolean requireEnabled) {
    return store.findById(accountId).compose(found -> {
      Account account = found.filter(a -> !requireEnabled || a.enabled()).orElse(null);
      return account != null ? Future.succeededFuture(account)
          : Future.failedFuture(found.isEmpty() ? AccountRequests.notFound() : LeaseBook.noAccount());
    });
  }

  /**
   * Refreshes {@code seen}'s account holding its lock, or waits for the instance that holds it.
   * {@code seen} is the row as last read: what the other instance's result is recognised against.
   */
  private Future<Account> underLock(Account seen, boolean requireEnabled, Predicate<Account> needed,
      boolean waitForOthers, long waitUntil) {
    long now = time.now().toEpochMilli();
    return locks.tryAcquire(seen.id(), owner, now, now + LOCK_MS).compose(acquired -> {
      if (acquired) return refreshHoldingLock(seen.id(), requireEnabled, needed);
      if (!waitForOthers) return Future.failedFuture(refreshingElsewhere());
      return waitForOther(seen, requireEnabled, needed, waitUntil);
    });
  }

  /** With the lock: the row read again (the previous holder may have just saved), refreshed if still needed. */
  private Future<Account> refreshHoldingLock(String accountId, boolean requireEnabled, Predicate<Account> needed) {
    return read(accountId, requireEnabled)
        .compose(account -> {
          if (!needed.test(account)) return Future.succeededFuture(account);
          if (!account.hasRefreshToken()) return Future.failedFuture(refreshFailed(false, "the account has no refresh token"));
          return callRefresh(account);
        })
        .eventually(() -> locks.release(accountId, owner).recover(err -> {
          // it expires by itself after LOCK_MS
          LOG.warn("could not release the refresh lock of account {}: {}", accountId, err.getMessage());
          return Future.succeededFuture();
        }));
  }

  /**
   * Another instance holds the lock: reads the row every {@link #WAIT_POLL_MS}; its result (new
   * tokens, or a failure it recorded) ends the wait, a free lock is taken, the deadline gives up.
   */
  private Future<Account> waitForOther(Account seen, boolean requireEnabled, Predicate<Account> needed, long waitUntil) {
    if (time.monotonicMillis() >= waitUntil) {
      return Future.failedFuture(refreshFailed(false, "another instance's refresh of the account did not finish"));
    }
    Promise<Void> tick = Promise.promise();
    time.setTimer(WAIT_POLL_MS, id -> tick.complete());
    return tick.future().compose(v -> read(seen.id(), requireEnabled)).compose(current -> {
      if (!refreshedSince(seen, current)) return underLock(current, requireEnabled, needed, true, waitUntil);
      if (current.lastRefreshStatus() == RefreshStatus.FAILED) {
        // that instance counted the failure already; this one only reports it
        return Future.failedFuture(refreshFailed(!current.enabled(), "the refresh by another instance failed"));
      }
      return Future.succeededFuture(current);
    });
  }

  /** Whether a refresh (or a failed attempt) was recorded on the row since {@code before} was read. */
  private static boolean refreshedSince(Account before, Account now) {
    return !Objects.equals(before.accessToken(), now.accessToken())
        || !Objects.equals(before.refreshToken(), now.refreshToken())
        || !Objects.equals(before.lastRefreshTime(), now.lastRefreshTime())
        || before.lastRefreshStatus() != now.lastRefreshStatus();
  }

  private static BusError refreshingElsewhere() {
    return new BusError(BusFailure.REFRESH_FAILED, "Token refresh in progress in another instance");
  }

  /**
   * The background sweep (every REFRESH_INTERVAL_SECONDS): refreshes due accounts one after the
   * other; a run never overlaps the previous one, and a tick that comes while one runs is not lost
   * but starts one more run right after it (ticks during a run coalesce into that one).
   */
  void sweep() {
    if (sweeping) {
      sweepAgain = true;
      return;
    }
    sweeping = true;
    Instant now = time.now();
    store.findEnabled()
        .compose(accounts -> {
          Future<Void> chain = Future.succeededFuture();
          for (Account a : accounts) {
            if (!a.hasRefreshToken() || !dueForBackgroundRefresh(a, now)) continue;
            chain = chain.compose(v -> refreshOnce(a.id(), true, current -> dueForBackgroundRefresh(current, time.now()), false, false)
                .<Void>mapEmpty()
                .recover(err -> Future.succeededFuture())); // recorded on the account; go on with the next
          }
          return chain;
        })
        .onComplete(ar -> {
          sweeping = false;
          if (ar.failed()) LOG.warn("background token refresh sweep failed: {}", ar.cause().getMessage());
          if (sweepAgain) {
            sweepAgain = false;
            sweep();
          }
        });
  }

  /** Whether a sweep is running (tests). */
  boolean sweeping() {
    return sweeping;
  }

  /**
   * The sweep's rule: no access token, never refreshed, last refreshed more than
   * {@code REFRESH_MAX_AGE_SECONDS} ago (q2api's 25 minutes), or {@code expires_at} within
   * {@code REFRESH_BEFORE_EXPIRY_SECONDS}.
   */
  boolean dueForBackgroundRefresh(Account a, Instant now) {
    if (!a.hasAccessToken() || a.lastRefreshTime() == null) return true;
    if (a.lastRefreshTime().isBefore(now.minusSeconds(settings.maxAgeSeconds()))) return true;
    return a.expiresAt() != null && !a.expiresAt().isAfter(now.plusSeconds(settings.beforeExpirySeconds()));
  }

  private Future<Account> callRefresh(Account account) {
    return client.refresh(account.id(), account.clientId(), account.clientSecret(), account.refreshToken())
        .recover(err -> recordFailure(account, (BusError) err))
        .compose(tokens -> {
          metrics.tokenRefresh("success");
          return saveTokens(account, tokens);
        });
  }

  private Future<Tokens> recordFailure(Account account, BusError err) {
    AccountAction action = err.accountAction();
    boolean invalidGrant = action == AccountAction.DISABLE;
    String detail = err.operatorDetail() != null ? err.operatorDetail() : err.getMessage();
    LOG.warn("token refresh failed for account {}: {}", account.id(), detail);
    metrics.tokenRefresh(invalidGrant ? "invalid_grant" : action == AccountAction.NONE ? "local_capacity" : "failure");
    Instant now = time.now();
    Future<Void> bookkeeping = action == AccountAction.NONE ? Future.succeededFuture()
        : store.markRefreshFailed(account.id(), now, settings.maxErrorCount());
    if (invalidGrant) {
      bookkeeping = bookkeeping.compose(v -> store.disable(account.id(), "invalid_grant", now))
          .onSuccess(v -> LOG.warn("account {} disabled: refresh token rejected (invalid_grant)", account.id()));
    }
    return bookkeeping.transform(ar -> {
      if (ar.failed()) LOG.error("could not record refresh failure of account {}: {}", account.id(), ar.cause().getMessage());
      return Future.failedFuture(refreshFailed(invalidGrant, detail));
    });
  }

  private Future<Account> saveTokens(Account account, Tokens tokens) {
    Instant now = time.now();
    Instant expiresAt = now.plusSeconds(tokens.expiresInSeconds());
    String refreshToken = tokens.refreshToken() != null ? tokens.refreshToken() : account.refreshToken();
    return store.saveTokens(account.id(), tokens.accessToken(), refreshToken, expiresAt, now, RefreshStatus.SUCCESS)
        .map(v -> {
          onRefreshed.accept(account.id());
          return account.withTokens(tokens.accessToken(), refreshToken, expiresAt, now);
        });
  }

  /** What a caller is told; the operator detail goes to the admin API only. */
  static BusError refreshFailed(boolean invalidGrant, String operatorDetail) {
    return new BusError(BusFailure.REFRESH_FAILED, invalidGrant
        ? "Token refresh failed: the refresh token was rejected (invalid_grant)"
        : "Token refresh failed", -1, AccountAction.NONE, invalidGrant ? "the account was disabled; log in again" : operatorDetail);
  }

  /** Whether the access token must be refreshed before it is lent at {@code now}. */
  static boolean needsRefresh(Account account, Instant now) {
    if (!account.hasAccessToken()) return true;
    Instant expiry = effectiveExpiry(account);
    return expiry != null && !expiry.isAfter(now.plus(REFRESH_MARGIN));
  }

  /** {@code expires_at}, else an estimate (see {@link #ASSUMED_TOKEN_LIFETIME}), else null (unknown). */
  static Instant effectiveExpiry(Account account) {
    if (account.expiresAt() != null) return account.expiresAt();
    Instant base = account.lastRefreshStatus() == RefreshStatus.SUCCESS && account.lastRefreshTime() != null
        ? account.lastRefreshTime() : account.createdAt();
    return base == null ? null : base.plus(ASSUMED_TOKEN_LIFETIME);
  }
}
