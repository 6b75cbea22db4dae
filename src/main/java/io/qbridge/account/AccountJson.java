package io.qbridge.account;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * The admin API's view of an account: q2api's keys ({@code id, label, clientId, other,
 * last_refresh_time, last_refresh_status, created_at, updated_at, enabled, error_count,
 * success_count, expires_at}) but, unlike q2api, never the secrets: {@code clientSecret},
 * {@code refreshToken} and {@code accessToken} are replaced by {@code hasClientSecret},
 * {@code hasRefreshToken} and {@code hasAccessToken} booleans, so a leaked admin response or
 * console screenshot cannot be used to impersonate the account. Times are UTC ISO-8601 or null.
 * {@code state} (not a q2api key) says whether the pool would lend the account now: {@code active},
 * {@code cooldown}, {@code parked}, {@code quota_exhausted} or {@code disabled}, and
 * {@code stateUntil} until when (null: no known end); the why is in {@code other} (see
 * {@link AccountHolds}), as are the model catalog and usage ({@link Entitlements}).
 */
final class AccountJson {
  private AccountJson() {}

  static JsonObject toAdminJson(Account a, Instant now) {
    AccountHolds.State state = AccountHolds.state(a, now);
    return new JsonObject()
        .put("id", a.id())
        .put("label", a.label())
        .put("clientId", a.clientId())
        .put("other", a.other())
        .put("last_refresh_time", UtcTimes.format(a.lastRefreshTime()))
        .put("last_refresh_status", a.lastRefreshStatus().wire())
        .put("created_at", UtcTimes.format(a.createdAt()))
        .put("updated_at", UtcTimes.format(a.updatedAt()))
        .put("enabled", a.enabled())
        .put("error_count", a.errorCount())
        .put("success_count", a.successCount())
        .put("expires_at", UtcTimes.format(a.expiresAt()))
        .put("hasClientSecret", a.hasClientSecret())
        .put("hasRefreshToken", a.hasRefreshToken())
        .put("hasAccessToken", a.hasAccessToken())
        .put("state", state.name())
        .put("stateUntil", UtcTimes.format(state.until()));
  }

  static JsonArray toAdminJson(List<Account> accounts, Instant now) {
    JsonArray out = new JsonArray();
    accounts.forEach(a -> out.add(toAdminJson(a, now)));
    return out;
  }
}
