package io.qbridge.quota;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * Reads {@code GetUsageLimits} answers leniently: every member may be missing (even the ones the
 * model calls required), numbers may be integers, doubles in exponent form ({@code 1.78027200E9})
 * or numeric strings, unknown keys are ignored.
 *
 * <p>Used and limit come from the breakdown (the {@code CREDIT} entry of {@code
 * usageBreakdownList}, else its first entry, else the deprecated {@code usageBreakdown}, else the
 * legacy {@code limits[0]}), preferring the {@code …WithPrecision} values; an {@code ACTIVE} free
 * trial and {@code ACTIVE}/{@code EXHAUSTED} bonuses add their usage and allowance (as the Kiro CLI
 * shows them). The reset is the top-level {@code nextDateReset}, else the breakdown's.
 */
public final class UsageLimitsParser {

  private UsageLimitsParser() {}

  public static UsageLimits parse(JsonObject body) {
    if (body == null) body = new JsonObject();
    JsonObject breakdown = breakdown(body);
    double used = 0;
    double limit = 0;
    String unit = null;
    Instant reset = epochSeconds(body.getValue("nextDateReset"));
    if (breakdown != null) {
      used = precise(breakdown, "currentUsageWithPrecision", "currentUsage");
      limit = precise(breakdown, "usageLimitWithPrecision", "usageLimit");
      unit = breakdown.getValue("resourceType") instanceof String r ? r
          : breakdown.getValue("unit") instanceof String u ? u : null;
      if (reset == null) reset = epochSeconds(breakdown.getValue("nextDateReset"));
      if (breakdown.getValue("freeTrialInfo") instanceof JsonObject trial && "ACTIVE".equals(trial.getValue("freeTrialStatus"))) {
        used += precise(trial, "currentUsageWithPrecision", "currentUsage");
        limit += precise(trial, "usageLimitWithPrecision", "usageLimit");
      }
      if (breakdown.getValue("bonuses") instanceof JsonArray bonuses) {
        for (Object b : bonuses) {
          if (b instanceof JsonObject bonus && ("ACTIVE".equals(bonus.getValue("status")) || "EXHAUSTED".equals(bonus.getValue("status")))) {
            used += number(bonus.getValue("currentUsage"));
            limit += number(bonus.getValue("usageLimit"));
          }
        }
      }
    } else if (body.getValue("limits") instanceof JsonArray legacy && !legacy.isEmpty()
        && legacy.getValue(0) instanceof JsonObject first) {
      used = number(first.getValue("currentUsage"));
      limit = number(first.getValue("totalUsageLimit"));
      unit = first.getValue("type") instanceof String t ? t : null;
    }
    JsonObject sub = body.getValue("subscriptionInfo") instanceof JsonObject s ? s : new JsonObject();
    boolean overage = body.getValue("overageConfiguration") instanceof JsonObject oc && "ENABLED".equals(oc.getValue("overageStatus"));
    return new UsageLimits(used, limit, reset, str(sub, "subscriptionTitle"), str(sub, "type"), unit, overage);
  }

  private static JsonObject breakdown(JsonObject body) {
    if (body.getValue("usageBreakdownList") instanceof JsonArray list) {
      JsonObject first = null;
      for (Object o : list) {
        if (!(o instanceof JsonObject b)) continue;
        if ("CREDIT".equals(b.getValue("resourceType"))) return b;
        if (first == null) first = b;
      }
      if (first != null) return first;
    }
    return body.getValue("usageBreakdown") instanceof JsonObject b ? b : null;
  }

  private static double precise(JsonObject o, String precise, String plain) {
    Object p = o.getValue(precise);
    return p != null && !Double.isNaN(numberOrNaN(p)) ? number(p) : number(o.getValue(plain));
  }

  static double number(Object v) {
    double d = numberOrNaN(v);
    return Double.isFinite(d) ? d : 0;
  }

  private static double numberOrNaN(Object v) {
    if (v instanceof Number n) return n.doubleValue();
    if (v instanceof String s) {
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /** Epoch seconds (any JSON number form, or a numeric string) → instant; milliseconds are recognised by size. */
  static Instant epochSeconds(Object v) {
    double d = numberOrNaN(v);
    if (!Double.isFinite(d) || d <= 0) return null;
    if (d > 1e11) d /= 1000; // a millisecond count (year > 5138 as seconds)
    return Instant.ofEpochMilli(Math.round(d * 1000));
  }

  private static String str(JsonObject o, String key) {
    return o.getValue(key) instanceof String s && !s.isBlank() ? s : null;
  }
}
