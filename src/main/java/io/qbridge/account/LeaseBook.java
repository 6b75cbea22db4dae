package io.qbridge.account;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.bus.Lease;
import io.qbridge.ids.RandomIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pool's memory: live leases, live leases per account, and the holds (cooldowns, parks) in
 * effect. Pure bookkeeping (no store, no bus, no timers), so the lease rules are unit-testable on
 * their own. Not thread-safe: owned by the pool verticle's event loop.
 */
final class LeaseBook {

  /** A granted lease; {@code accessToken} is the token it was given (to recognise a stale one). */
  record LiveLease(String leaseId, String accountId, long leasedAtMs, String accessToken) {}

  private final int maxConcurrency;
  private final Map<String, LiveLease> leases = new HashMap<>();
  /** Live leases per account id (entries removed at zero). */
  private final Map<String, Integer> inFlight = new HashMap<>();
  /** Cooldowns and parks known to this instance; the same holds are persisted in {@code other}. */
  private final Map<String, AccountHolds.Hold> holds = new HashMap<>();

  /** @param maxConcurrency ACCOUNT_MAX_CONCURRENCY: live leases per account, 0 = unlimited */
  LeaseBook(int maxConcurrency) {
    this.maxConcurrency = maxConcurrency;
  }

  Lease grant(Account account, long nowMs) {
    return grant(account, nowMs, RandomIds.uuid());
  }

  /** A lease with a given id (the one the shared ledger recorded). */
  Lease grant(Account account, long nowMs, String leaseId) {
    leases.put(leaseId, new LiveLease(leaseId, account.id(), nowMs, account.accessToken()));
    inFlight.merge(account.id(), 1, Integer::sum);
    return new Lease(leaseId, account.id(), account.label(), account.accessToken());
  }

  /** Removes a lease; null when it is unknown or was released already (nothing to count then). */
  LiveLease release(String leaseId) {
    LiveLease lease = leases.remove(leaseId);
    if (lease != null) dropInFlight(lease.accountId());
    return lease;
  }

  LiveLease get(String leaseId) {
    return leases.get(leaseId);
  }

  /** The lease now carries {@code accessToken} (after a forced refresh). */
  void retoken(String leaseId, String accessToken) {
    leases.computeIfPresent(leaseId, (id, l) -> new LiveLease(id, l.accountId(), l.leasedAtMs(), accessToken));
  }

  int size() {
    return leases.size();
  }

  /** Accounts not to lend at {@code now}: held (expired holds are forgotten) or at their concurrency limit. */
  Set<String> unavailable(Instant now) {
    holds.values().removeIf(h -> !h.activeAt(now));
    Set<String> out = new HashSet<>(holds.keySet());
    if (maxConcurrency > 0) {
      inFlight.forEach((id, n) -> {
        if (n >= maxConcurrency) out.add(id);
      });
    }
    return out;
  }

  /** Live leases on one account. */
  int inFlight(String accountId) {
    return inFlight.getOrDefault(accountId, 0);
  }

  boolean atCapacity(String accountId) {
    return maxConcurrency > 0 && inFlight.getOrDefault(accountId, 0) >= maxConcurrency;
  }

  /**
   * Takes {@code hold} into effect, unless a longer one is active (a cooldown never shortens a
   * park). Returns whether it did (then the caller persists it).
   */
  boolean hold(String accountId, AccountHolds.Hold hold, Instant now) {
    AccountHolds.Hold current = holds.get(accountId);
    if (current != null && current.until().isAfter(hold.until()) && current.activeAt(now)) return false;
    holds.put(accountId, hold);
    return true;
  }

  /**
   * Moves the end of an account's active park to {@code until} (earlier or later: the quota's real
   * reset, once a usage read gives it); returns the new hold, or {@code null} when the account is
   * not parked at {@code now} or already parked until then.
   */
  AccountHolds.Hold movePark(String accountId, Instant until, Instant now) {
    AccountHolds.Hold current = holds.get(accountId);
    if (current == null || current.type() != AccountHolds.Type.PARKED || !current.activeAt(now)
        || current.until().equals(until)) {
      return null;
    }
    AccountHolds.Hold moved = new AccountHolds.Hold(AccountHolds.Type.PARKED, until, current.reason());
    holds.put(accountId, moved);
    return moved;
  }

  /** Keeps the in-memory hold of an account in line with its row (after a read or an admin change). */
  void syncHold(Account account, Instant now) {
    AccountHolds.Hold hold = AccountHolds.activeHold(account.otherForReading(), now);
    if (hold == null) holds.remove(account.id());
    else holds.put(account.id(), hold);
  }

  void forget(String accountId) {
    holds.remove(accountId);
  }

  /** Drops the leases granted before {@code cutoffMs} (never released: a leak) and returns them. */
  List<LiveLease> dropLeaked(long cutoffMs) {
    List<LiveLease> leaked = new ArrayList<>();
    leases.values().removeIf(l -> {
      if (l.leasedAtMs() >= cutoffMs) return false;
      leaked.add(l);
      dropInFlight(l.accountId());
      return true;
    });
    return leaked;
  }

  private void dropInFlight(String accountId) {
    inFlight.computeIfPresent(accountId, (id, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * Why nothing can be lent (the lease query found no candidate): any account merely cooling down
   * → COOLING_DOWN with the soonest end as retry-after; else all busy → NO_ACCOUNT (retry-after 1);
   * all parked → when the first returns; some tried already → none left; else none enabled.
   */
  BusError whyUnavailable(List<Account> enabled, Set<String> exclude, Instant now) {
    int usable = 0;
    int tried = 0;
    int cooling = 0;
    int parked = 0;
    int busy = 0;
    Instant soonestCooldown = null;
    Instant soonestPark = null;
    for (Account a : enabled) {
      if (!a.hasRefreshToken() && !a.hasAccessToken()) continue;
      usable++;
      AccountHolds.Hold hold = effectiveHold(a, now);
      if (exclude.contains(a.id())) {
        tried++;
      } else if (hold != null && hold.type() == AccountHolds.Type.PARKED) {
        parked++;
        soonestPark = min(soonestPark, hold.until());
      } else if (hold != null) {
        cooling++;
        soonestCooldown = min(soonestCooldown, hold.until());
      } else if (atCapacity(a.id())) {
        busy++;
      }
    }
    if (usable == 0) return noAccount();
    if (cooling > 0) {
      long retryAfter = Math.max(1, (Duration.between(now, soonestCooldown).toMillis() + 999) / 1000);
      String more = parked > 0 ? ", " + parked + " parked until their quota resets" : "";
      return new BusError(BusFailure.COOLING_DOWN, "All accounts are rate limited: " + cooling
          + " cooling down" + more + "; retry in " + retryAfter + " s").withRetryAfter(retryAfter);
    }
    if (busy > 0) return allBusy();
    if (parked > 0) {
      return new BusError(BusFailure.NO_ACCOUNT, "All accounts have exhausted their usage quota; the first one"
          + " returns at " + UtcTimes.format(soonestPark));
    }
    if (tried > 0) return new BusError(BusFailure.NO_ACCOUNT, "No other enabled account available");
    return noAccount();
  }

  static BusError noAccount() {
    return new BusError(BusFailure.NO_ACCOUNT, "No enabled account available: add one in the console at /"
        + " or with POST /v2/accounts (see the README)");
  }

  BusError allBusy() {
    return new BusError(BusFailure.NO_ACCOUNT, "All accounts are busy (at most " + maxConcurrency
        + " concurrent requests per account); retry shortly").withRetryAfter(1);
  }

  /** The longer of the in-memory and the persisted hold, if active. */
  private AccountHolds.Hold effectiveHold(Account a, Instant now) {
    AccountHolds.Hold persisted = AccountHolds.activeHold(a.otherForReading(), now);
    AccountHolds.Hold memory = holds.get(a.id());
    if (memory == null || !memory.activeAt(now)) return persisted;
    return persisted == null || memory.until().isAfter(persisted.until()) ? memory : persisted;
  }

  private static Instant min(Instant a, Instant b) {
    return a == null || b.isBefore(a) ? b : a;
  }
}
