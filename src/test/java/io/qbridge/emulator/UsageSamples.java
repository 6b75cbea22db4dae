package io.qbridge.emulator;

/**
 * {@code GetUsageLimits} bodies from {@code shared/docs/amazon-q-models-and-usage.md} §3.2 and §5,
 * as raw JSON text so number forms (exponents, fractions) reach the client as written.
 */
public final class UsageSamples {

  private UsageSamples() {}

  /** §5 success sample: KIRO FREE, 12.35 of 50 credits, reset 1780272000 (2026-06-01T00:00:00Z). */
  public static final String FREE = """
      {"nextDateReset":1780272000,"subscriptionInfo":{"type":"Q_DEVELOPER_STANDALONE_FREE","subscriptionTitle":"KIRO FREE",\
      "upgradeCapability":"UPGRADE_CAPABLE","overageCapability":"OVERAGE_INCAPABLE","subscriptionManagementTarget":"PURCHASE"},\
      "usageBreakdownList":[{"resourceType":"CREDIT","currentUsage":12,"currentUsageWithPrecision":12.35,"currentOverages":0,\
      "usageLimit":50,"usageLimitWithPrecision":50.0,"overageCharges":0.0,"currency":"USD","unit":"INVOCATIONS",\
      "nextDateReset":1780272000}],"overageConfiguration":{"overageStatus":"DISABLED"}}""";

  /** The same with {@code nextDateReset} in exponent form ({@code 1.78027200E9}). */
  public static final String EXPONENT = FREE.replace("\"nextDateReset\":1780272000", "\"nextDateReset\":1.78027200E9");

  /** §3.2 KIRO PRO+ shape with legacy {@code limits}, a fractional reset, a free trial and bonuses. */
  public static final String PRO_PLUS_WITH_BONUSES = """
      {"limits":[{"type":"AGENTIC_REQUEST","currentUsage":0,"totalUsageLimit":0,"percentUsed":0.0}],\
      "nextDateReset":1764547200.0,"daysUntilReset":0,\
      "usageBreakdownList":[{"resourceType":"CREDIT","displayName":"Credit","displayNamePlural":"Credits",\
      "currentUsage":1500,"currentUsageWithPrecision":1500.5,"currentOverages":0,"usageLimit":2000,\
      "usageLimitWithPrecision":2000.0,"overageCharges":0.0,"currency":"USD","overageRate":0.04,"overageCap":10000,\
      "freeTrialInfo":{"freeTrialStatus":"ACTIVE","freeTrialExpiry":1767225600,"currentUsage":100,\
      "currentUsageWithPrecision":100.0,"usageLimit":500,"usageLimitWithPrecision":500.0},\
      "bonuses":[{"bonusCode":"WELCOME","displayName":"Welcome","description":"d","status":"ACTIVE","expiresAt":1767225600,\
      "currentUsage":10.0,"usageLimit":100.0},{"bonusCode":"OLD","displayName":"Old","description":"d","status":"EXPIRED",\
      "expiresAt":1700000000,"currentUsage":0.0,"usageLimit":1000.0}]}],\
      "subscriptionInfo":{"type":"Q_DEVELOPER_STANDALONE_PRO_PLUS","subscriptionTitle":"KIRO PRO+",\
      "upgradeCapability":"UPGRADE_CAPABLE","overageCapability":"OVERAGE_CAPABLE","subscriptionManagementTarget":"MANAGE"},\
      "overageConfiguration":{"overageStatus":"DISABLED"},"userInfo":{"userId":"d-123","email":"someone@example.com"},\
      "totalUsage":{"maxOverageLimit":0.0,"overageLimit":0.0,"totalOverageCharges":0.0}}""";

  /** The §3.2 KIRO FREE capture with most "required" members missing. */
  public static final String SPARSE = """
      {"usageBreakdownList":[{"currentUsage":3,"usageLimit":50,"displayName":"Credit","resourceType":"CREDIT","unit":"INVOCATIONS"}],\
      "daysUntilReset":null}""";

  /** A CREDIT breakdown with {@code used} of {@code limit}, resetting at {@code nextReset} (epoch seconds). */
  public static String credits(double used, double limit, long nextReset) {
    return "{\"nextDateReset\":" + nextReset + ",\"subscriptionInfo\":{\"type\":\"Q_DEVELOPER_STANDALONE_PRO\","
        + "\"subscriptionTitle\":\"KIRO PRO\"},\"usageBreakdownList\":[{\"resourceType\":\"CREDIT\",\"currentUsage\":"
        + (long) used + ",\"currentUsageWithPrecision\":" + used + ",\"usageLimit\":" + (long) limit
        + ",\"usageLimitWithPrecision\":" + limit + ",\"nextDateReset\":" + nextReset + "}],"
        + "\"overageConfiguration\":{\"overageStatus\":\"DISABLED\"}}";
  }
}
