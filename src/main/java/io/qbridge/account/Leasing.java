package io.qbridge.account;

import io.qbridge.bus.AccountAction;
import io.qbridge.bus.BusError;
import io.qbridge.bus.Lease;
import io.qbridge.bus.Outcome;
import io.qbridge.ids.RandomIds;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import java.time.Instant;
import io.qbridge.bus.BusFailure;
import io.qbridge.routing.StickyTable;
import io.qbridge.routing.WeightedPick;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lending accounts: the lease, release and forced-refresh flows over the store, the
 * {@link LeaseBook} and the {@link TokenRefresher}.
 *
 * <p><b>Lease policy:</b> among enabled accounts holding a token, skipping those the request
 * already tried, those cooling down or parked, those at ACCOUNT_MAX_CONCURRENCY live leases, those
 * whose catalog lacks the requested model and those out of quota until their reset
 * ({@link Entitlements}): the account the conversation is bound to ({@link StickyTable}), else a
 * weighted random pick by remaining quota fraction ÷ (1 + live leases) ({@link WeightedPick}). Up to {@value #MAX_PICKS} such accounts are tried in turn;
 * a token missing or about to expire is refreshed first. When none is usable the failure says why
 * ({@link LeaseBook#whyUnavailable}).
 *
 * <p><b>Concurrency caps across instances:</b> the {@link LeaseBook} counts this instance's live
 * leases (a cheap first filter); with ACCOUNT_MAX_CONCURRENCY set, the {@link LeaseLedger} in the
 * shared database has the last word: a candidate whose live leases on all instances are at the cap
 * is passed over like a busy one. When the database cannot be reached the lease is granted on the
 * local count alone (availability first; the row is simply missing from the ledger).
 *
 * <p><b>Release:</b> success → {@code success_count + 1, error_count = 0}; failure →
 * {@code error_count + 1} (disabling at MAX_ERROR_COUNT) plus the {@link AccountAction}:
 * COOLDOWN / SHORT_COOLDOWN / LONG_COOLDOWN hold the account for the configured time or the
 * upstream's retry-after, whichever is longer (plus up to 10 % jitter, so accounts cooled together
 * do not return together); PARK holds it until the quota resets; DISABLE sets {@code enabled = 0}
 * with the reason; NONE counts nothing.
 *
 * <p>Not thread-safe: owned by the pool verticle's event loop.
 */
final class Leasing {
  private static final Logger LOG = LoggerFactory.getLogger(Leasing.class);

  /** Accounts tried per lease. */
  static final int MAX_PICKS = 3;
  /** No further account is tried after this much time, so a lease ends before the client's timeout. */
  static final long LEASE_BUDGET_MS = 30_000;

  /**
   * Cooldown lengths and the error limit.
   *
   * @param maxErrorCount MAX_ERROR_COUNT, {@code Integer.MAX_VALUE} when the rule is off
   * @param quotaParkSeconds QUOTA_PARK_SECONDS, 0 = until the 1st of next month (UTC)
   */
  record Settings(int maxErrorCount, long cooldownSeconds, long shortCooldownSeconds, long longCooldownSeconds,
                  long quotaParkSeconds) {}

  private final AccountStore store;
  private final LeaseBook book;
  private final LeaseLedger ledger;
  private final TokenRefresher refresher;
  private final Timekeeper time;
  private final Settings settings;
  private final Entitlements entitlements;
  private final StickyTable sticky;
  private final Random random = new Random();

  /** A candidate that passed every check, with the id its lease will carry. */
  private record Pick(Account account, String leaseId) {}

  /** @param ledger the cross-instance concurrency cap ({@link LeaseLedger#UNLIMITED} without one) */
  Leasing(AccountStore store, LeaseBook book, LeaseLedger ledger, TokenRefresher refresher, Timekeeper time,
      Settings settings, Entitlements entitlements, StickyTable sticky) {
    this.store = store;
    this.book = book;
    this.ledger = ledger;
    this.refresher = refresher;
    this.time = time;
    this.settings = settings;
    this.entitlements = entitlements;
    this.sticky = sticky;
  }

  /** A lease on an account not in {@code exclude}, or the reason there is none. */
  Future<Lease> lease(Set<String> exclude) {
    return lease(exclude, null, null, null);
  }

  /**
   * A lease on an account not in {@code exclude} whose catalog has {@code modelId} ({@code null}:
   * any) and whose quota is not exhausted; the account bound to {@code conversationKey} (hashed;
   * {@code null}: none) first when it is one of them, else a {@link WeightedPick} by remaining quota
   * and load, and the key is bound to the account that gets the lease, as is {@code followUpKey}
   * (hashed; {@code null}: none), the key a request continuing this one will carry.
   */
  Future<Lease> lease(Set<String> exclude, String modelId, String conversationKey, String followUpKey) {
    Instant now = time.now();
    Set<String> skip = new HashSet<>(exclude);
    skip.addAll(book.unavailable(now));
    long deadline = time.monotonicMillis() + LEASE_BUDGET_MS;
    return store.findLeaseCandidates(Integer.MAX_VALUE, now, skip)
        .compose(all -> {
          List<Account> eligible = new ArrayList<>();
          for (Account a : all) {
            if (entitlements.accepts(a.id(), modelId) && !entitlements.blocked(a.id(), now)) eligible.add(a);
          }
          if (eligible.isEmpty() && !all.isEmpty()) return Future.<Pick>failedFuture(noneFor(all, modelId, now));
          return eligible.isEmpty()
              ? store.findEnabled().compose(enabled -> Future.<Pick>failedFuture(book.whyUnavailable(enabled, exclude, now)))
              : firstUsable(order(eligible, conversationKey, now), 0, deadline, null);
        })
        .map(pick -> {
          if (conversationKey != null) sticky.bind(conversationKey, pick.account().id());
          if (followUpKey != null) sticky.bind(followUpKey, pick.account().id());
          return book.grant(pick.account(), time.monotonicMillis(), pick.leaseId());
        });
  }

  /** The bound account first (when eligible), then up to {@value #MAX_PICKS} weighted picks without replacement. */
  private List<Account> order(List<Account> eligible, String conversationKey, Instant now) {
    List<Account> ordered = new ArrayList<>();
    List<Account> rest = new ArrayList<>(eligible);
    String bound = sticky.lookup(conversationKey);
    if (bound != null) {
      for (Account a : eligible) {
        if (a.id().equals(bound)) {
          ordered.add(a);
          rest.remove(a);
        }
      }
    }
    while (ordered.size() < MAX_PICKS && !rest.isEmpty()) {
      List<WeightedPick.Candidate> candidates = new ArrayList<>();
      for (Account a : rest) candidates.add(new WeightedPick.Candidate(a.id(), entitlements.remainingFraction(a.id(), now), book.inFlight(a.id())));
      String id = WeightedPick.pick(candidates, random::nextDouble);
      Account chosen = rest.stream().filter(a -> a.id().equals(id)).findFirst().orElse(rest.get(0));
      ordered.add(chosen);
      rest.remove(chosen);
    }
    return ordered;
  }

  /** Usable accounts exist, but none has the model or quota left: say which. */
  private BusError noneFor(List<Account> usable, String modelId, Instant now) {
    List<Account> withModel = usable.stream().filter(a -> entitlements.accepts(a.id(), modelId)).toList();
    if (withModel.isEmpty()) {
      return new BusError(BusFailure.NO_ACCOUNT, "No available account offers model '" + modelId + "'");
    }
    Instant back = entitlements.soonestReset(withModel.stream().map(Account::id).toList(), now);
    return new BusError(BusFailure.NO_ACCOUNT, "All accounts have exhausted their usage quota"
        + (back == null ? "" : "; the first one returns at " + UtcTimes.format(back)));
  }

  /** The first candidate, from {@code index} on, whose token is fresh or could be refreshed, with a free slot. */
  private Future<Pick> firstUsable(List<Account> candidates, int index, long deadline, Throwable lastError) {
    if (index >= candidates.size() || (index > 0 && time.monotonicMillis() > deadline)) {
      boolean explained = lastError instanceof BusError || lastError instanceof StoreException;
      return Future.failedFuture(explained ? lastError : TokenRefresher.refreshFailed(false, null));
    }
    return refresher.withFreshToken(candidates.get(index))
        // a refresh is asynchronous: other leases may have taken the last slot meanwhile
        .compose(a -> book.atCapacity(a.id()) ? Future.<Pick>failedFuture(book.allBusy()) : claimSlot(a))
        .recover(err -> firstUsable(candidates, index + 1, deadline, err));
  }

  /** The account's slot in the shared ledger (the cap counted over every instance). */
  private Future<Pick> claimSlot(Account account) {
    String leaseId = RandomIds.uuid();
    return ledger.tryAcquire(leaseId, account.id(), time.now().toEpochMilli())
        .recover(err -> {
          if (!(err instanceof StoreException)) return Future.failedFuture(err);
          LOG.warn("lease ledger unavailable, account {} leased on this instance's count only: {}", account.id(),
              err.getMessage());
          return Future.succeededFuture(true);
        })
        .compose(granted -> granted ? Future.succeededFuture(new Pick(account, leaseId))
            : Future.failedFuture(book.allBusy()));
  }

  /**
   * Ends a lease with its outcome; false when the lease was unknown or already released (nothing
   * is counted then).
   */
  Future<Boolean> release(String leaseId, Outcome outcome, AccountAction action, String reason, long retryAfterMs) {
    LeaseBook.LiveLease lease = book.release(leaseId);
    if (lease == null) return Future.succeededFuture(false);
    ledger.release(leaseId); // a failure is retried by the ledger's next heartbeat
    Future<Void> bookkeeping = switch (outcome) {
      case SUCCESS -> store.recordSuccess(lease.accountId());
      case FAILURE -> applyFailure(lease.accountId(), action, reason, retryAfterMs);
      case NEUTRAL -> Future.succeededFuture();
    };
    return bookkeeping.map(v -> true);
  }

  /** The account of a live lease, or {@code null}. */
  String accountOf(String leaseId) {
    LeaseBook.LiveLease lease = book.get(leaseId);
    return lease == null ? null : lease.accountId();
  }

  /**
   * The upstream rejected a lease's token: the same lease with a refreshed one (unless another
   * request refreshed the account meanwhile: then that newer token, without an OIDC call).
   */
  Future<Lease> refreshLease(String leaseId) {
    LeaseBook.LiveLease lease = book.get(leaseId);
    if (lease == null) {
      return Future.failedFuture(new BusError(io.qbridge.bus.BusFailure.NOT_FOUND, "Unknown or released lease"));
    }
    return refresher.replaceRejected(lease.accountId(), lease.accessToken()).map(account -> {
      book.retoken(leaseId, account.accessToken());
      return new Lease(leaseId, account.id(), account.label(), account.accessToken());
    });
  }

  /** Drops leases never released within {@code maxAgeMs} (a leak; logged). */
  void dropLeaked(long maxAgeMs) {
    for (LeaseBook.LiveLease l : book.dropLeaked(time.monotonicMillis() - maxAgeMs)) {
      LOG.warn("lease {} of account {} was never released; dropped", l.leaseId(), l.accountId());
      ledger.release(l.leaseId());
    }
  }

  /** Renews this instance's leases in the shared ledger (every {@link LeaseLedger#HEARTBEAT_MS}). */
  Future<Void> heartbeat() {
    return ledger.heartbeat(time.now().toEpochMilli())
        .onFailure(err -> LOG.warn("lease ledger heartbeat failed: {}", err.getMessage()));
  }

  /** Shutdown: this instance's leases leave the shared ledger at once instead of going stale. */
  Future<Void> releaseAll() {
    return ledger.releaseAll();
  }

  /**
   * One failure of an account, then its action: the error counter always moves (so
   * MAX_ERROR_COUNT still disables an account that keeps failing); a hold takes effect in memory at
   * once and is persisted in {@code other}. The writes are issued together, so a lease query issued
   * after them (the store runs statements in order) already sees them.
   */
  private Future<Void> applyFailure(String accountId, AccountAction action, String reason, long retryAfterMs) {
    if (action == AccountAction.NONE) return Future.succeededFuture();
    Instant now = time.now();
    Future<Void> counted = store.recordFailure(accountId, settings.maxErrorCount());
    Future<Void> applied = switch (action) {
      case DISABLE -> store.disable(accountId, reason == null ? "suspended" : reason, now)
          .onSuccess(v -> LOG.warn("account {} disabled: {}", accountId, reason));
      case PARK -> hold(accountId,
          new AccountHolds.Hold(AccountHolds.Type.PARKED, parkUntil(now), reason == null ? "quota_exhausted" : reason), now);
      case COOLDOWN -> cooldown(accountId, now, retryAfterMs >= 0 ? retryAfterMs : seconds(settings.cooldownSeconds()), reason);
      case SHORT_COOLDOWN -> cooldown(accountId, now, Math.max(retryAfterMs, seconds(settings.shortCooldownSeconds())), reason);
      case LONG_COOLDOWN -> cooldown(accountId, now, Math.max(retryAfterMs, seconds(settings.longCooldownSeconds())), reason);
      case NONE, COUNT_ERROR, REFRESH_AND_RETRY -> Future.succeededFuture();
    };
    return Future.all(counted, applied).mapEmpty();
  }

  private Future<Void> cooldown(String accountId, Instant now, long ms, String reason) {
    if (ms <= 0) return Future.succeededFuture();
    long jitter = ms >= 10 ? random.nextLong(ms / 10 + 1) : 0;
    Instant until = now.plusMillis(ms + jitter);
    return hold(accountId, new AccountHolds.Hold(AccountHolds.Type.COOLDOWN, until, reason == null ? "error" : reason), now);
  }

  private Future<Void> hold(String accountId, AccountHolds.Hold hold, Instant now) {
    if (!book.hold(accountId, hold, now)) return Future.succeededFuture(); // a longer hold (e.g. a park) stays
    LOG.info("account {} {} until {} ({})", accountId, hold.type() == AccountHolds.Type.PARKED ? "parked" : "cooling down",
        UtcTimes.format(hold.until()), hold.reason());
    return store.mergeOther(accountId, hold.toOther());
  }

  /**
   * A usage read found the account exhausted until {@code reset}: a park (from an upstream quota
   * error) ends then, not at the assumed end (1st of next month or QUOTA_PARK_SECONDS).
   */
  Future<Void> quotaResetKnown(String accountId, Instant reset) {
    Instant now = time.now();
    if (!reset.isAfter(now)) return Future.succeededFuture();
    AccountHolds.Hold moved = book.movePark(accountId, reset, now);
    if (moved == null) return Future.succeededFuture();
    LOG.info("account {} parked until its quota resets at {}", accountId, UtcTimes.format(reset));
    return store.mergeOther(accountId, moved.toOther());
  }

  private Instant parkUntil(Instant now) {
    return settings.quotaParkSeconds() > 0 ? now.plusSeconds(settings.quotaParkSeconds()) : AccountHolds.firstOfNextMonthUtc(now);
  }

  private static long seconds(long s) {
    return s * 1000L;
  }
}
