package io.qbridge.quota;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * An account's usage this billing period. Immutable.
 *
 * @param used          units used (credits are fractional), base allowance plus active trial and bonuses
 * @param limit         units allowed in total; 0 when the answer carried no limit (unknown, never "exhausted")
 * @param nextReset     when the period resets ({@code nextDateReset}), or {@code null}
 * @param plan          {@code subscriptionInfo.subscriptionTitle} (e.g. {@code KIRO FREE}), or {@code null}
 * @param planType      {@code subscriptionInfo.type} (e.g. {@code Q_DEVELOPER_STANDALONE_FREE}), or {@code null}
 * @param unit          the breakdown's {@code unit}/{@code resourceType} (e.g. {@code CREDIT}), or {@code null}
 * @param overageEnabled {@code overageConfiguration.overageStatus == ENABLED}: the account may go past its limit (billed)
 */
public record UsageLimits(double used, double limit, Instant nextReset, String plan, String planType, String unit,
                          boolean overageEnabled) {

  public UsageLimits {
    used = Double.isFinite(used) ? Math.max(0, used) : 0;
    limit = Double.isFinite(limit) ? Math.max(0, limit) : 0;
  }

  /** Whether a limit is known. */
  public boolean known() { return limit > 0; }

  /** At or over a known limit, without billed overage to fall back on. */
  public boolean exhausted() { return known() && !overageEnabled && used >= limit; }

  /**
   * Whether the scheduler must skip the account at {@code now}: exhausted and the reset not passed
   * yet. Past {@link #nextReset()} the account is back by itself, before a fresh usage read; an
   * exhaustion without a known reset lasts until a fresh read shows room.
   */
  public boolean blocksAt(Instant now) {
    return exhausted() && (nextReset == null || now.isBefore(nextReset));
  }

  /** Share of the limit still available, 0..1; 1 when the limit is unknown (no reason to avoid the account). */
  public double remainingFraction() {
    if (!known()) return 1.0;
    return Math.max(0, Math.min(1, (limit - used) / limit));
  }

  /**
   * {@link #remainingFraction()} as it stands at {@code now}: past {@link #nextReset()} a new period
   * has begun, so the account counts as full until a fresh read says otherwise (else an account
   * back from exhaustion would keep the lowest weight until its next read).
   */
  public double remainingFractionAt(Instant now) {
    return nextReset != null && !now.isBefore(nextReset) ? 1.0 : remainingFraction();
  }

  /** The storage/admin form (absent values omitted). */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("used", used).put("limit", limit).put("overageEnabled", overageEnabled);
    if (nextReset != null) o.put("nextReset", nextReset.toString());
    if (plan != null) o.put("plan", plan);
    if (planType != null) o.put("planType", planType);
    if (unit != null) o.put("unit", unit);
    return o;
  }

  /** Reads {@link #toJson()}'s form; {@code null} when {@code o} is not one. */
  public static UsageLimits fromJson(JsonObject o) {
    if (o == null || !(o.getValue("used") instanceof Number used) || !(o.getValue("limit") instanceof Number limit)) return null;
    Instant reset = null;
    if (o.getValue("nextReset") instanceof String s) {
      try {
        reset = Instant.parse(s);
      } catch (RuntimeException ignored) {
        // an unreadable reset is an unknown one
      }
    }
    return new UsageLimits(used.doubleValue(), limit.doubleValue(), reset, str(o, "plan"), str(o, "planType"),
        str(o, "unit"), Boolean.TRUE.equals(o.getValue("overageEnabled")));
  }

  private static String str(JsonObject o, String key) {
    return o.getValue(key) instanceof String s ? s : null;
  }
}
