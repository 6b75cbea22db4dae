package io.qbridge.account;

import io.qbridge.quota.UsageLimits;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Temporary unavailability of an enabled account ("holds") and how it is kept in the account's
 * {@code other} JSON, where the admin API shows it and a restart (or, later, another gateway on the
 * same database) finds it:
 *
 * <pre>
 * cooldownUntil, cooldownReason   throttled / suspicious activity / capacity / 5xx / timeout
 * parkedUntil,   parkedReason     quota exhausted, until the quota resets
 * disabledReason, disabledAt      (not a hold: enabled = 0) suspended, invalid_grant, max_error_count
 * usage.nextReset                 (not a hold: the usage read) quota exhausted until the period resets
 * </pre>
 *
 * Times are {@link UtcTimes} text; a time in the past means the hold is over (it is left in place
 * as the last one, and removed when an admin PATCHes {@code enabled: true}).
 */
final class AccountHolds {
  static final String COOLDOWN_UNTIL = "cooldownUntil";
  static final String COOLDOWN_REASON = "cooldownReason";
  static final String PARKED_UNTIL = "parkedUntil";
  static final String PARKED_REASON = "parkedReason";

  private AccountHolds() {}

  enum Type { COOLDOWN, PARKED }

  /** One hold: what, until when, why (an upstream error kind such as {@code throttled}). */
  record Hold(Type type, Instant until, String reason) {
    boolean activeAt(Instant now) {
      return until.isAfter(now);
    }

    /** The {@code other} members that persist this hold. */
    JsonObject toOther() {
      return type == Type.PARKED
          ? new JsonObject().put(PARKED_UNTIL, UtcTimes.format(until)).put(PARKED_REASON, reason)
          : new JsonObject().put(COOLDOWN_UNTIL, UtcTimes.format(until)).put(COOLDOWN_REASON, reason);
    }
  }

  /** The hold persisted in {@code other} that is still active at {@code now} (a park wins), or null. */
  static Hold activeHold(JsonObject other, Instant now) {
    Hold park = read(other, Type.PARKED, PARKED_UNTIL, PARKED_REASON);
    if (park != null && park.activeAt(now)) return park;
    Hold cooldown = read(other, Type.COOLDOWN, COOLDOWN_UNTIL, COOLDOWN_REASON);
    return cooldown != null && cooldown.activeAt(now) ? cooldown : null;
  }

  private static Hold read(JsonObject other, Type type, String untilKey, String reasonKey) {
    if (!(other.getValue(untilKey) instanceof String text)) return null;
    Instant until = UtcTimes.parse(text);
    return until == null ? null : new Hold(type, until, other.getValue(reasonKey) instanceof String r ? r : null);
  }

  /**
   * The admin view's {@code state} and until when it lasts ({@code null}: no end known, or not a
   * hold): {@code disabled}; {@code parked} (an upstream quota error); {@code quota_exhausted} (the
   * last usage read, {@code other.usage}, is at its limit: until its {@code nextReset}, or until a
   * fresh read shows room when the reset is unknown); {@code cooldown}; else {@code active}. The
   * scheduler lends none of them but {@code active}.
   */
  record State(String name, Instant until) {
    static final State ACTIVE = new State("active", null);
  }

  static State state(Account account, Instant now) {
    if (!account.enabled()) return new State("disabled", null);
    Hold hold = activeHold(account.other(), now);
    if (hold != null && hold.type() == Type.PARKED) return new State("parked", hold.until());
    UsageLimits usage = account.other().getValue("usage") instanceof JsonObject u ? UsageLimits.fromJson(u) : null;
    if (usage != null && usage.blocksAt(now)) return new State("quota_exhausted", usage.nextReset());
    return hold != null ? new State("cooldown", hold.until()) : State.ACTIVE;
  }

  /** 00:00 UTC on the first day of the month after {@code now}: when Amazon Q's monthly quota resets. */
  static Instant firstOfNextMonthUtc(Instant now) {
    ZonedDateTime t = now.atZone(ZoneOffset.UTC);
    return t.withDayOfMonth(1).toLocalDate().plusMonths(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }
}
