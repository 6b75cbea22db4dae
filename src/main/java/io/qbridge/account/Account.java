package io.qbridge.account;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * One Amazon Q account, i.e. one row of q2api's {@code accounts} table (protocol notes §9).
 *
 * <p>Immutable: {@link #other()} hands out a copy. Instants are UTC ({@link UtcTimes}); the
 * nullable ones are {@code lastRefreshTime}, {@code expiresAt} and, for rows written by foreign
 * tools, {@code createdAt}/{@code updatedAt}. {@link #toString()} never prints secrets.
 *
 * @param id                uuid string, primary key
 * @param label             free text shown in the admin console, nullable
 * @param clientId          OIDC client id (from RegisterClient), needed for refresh
 * @param clientSecret      OIDC client secret, needed for refresh
 * @param refreshToken      OIDC refresh token
 * @param accessToken       current bearer token, nullable (then the first lease refreshes)
 * @param other             free-form JSON (q2api keeps notes here; we add {@code disabledReason})
 * @param lastRefreshTime   time of the last refresh attempt, nullable
 * @param lastRefreshStatus outcome of the last refresh attempt
 * @param createdAt         creation time
 * @param updatedAt         time of the last change of any column
 * @param enabled           whether the account may be leased
 * @param errorCount        consecutive failures (reset by a success)
 * @param successCount      total successes
 * @param expiresAt         expiry of {@code accessToken}, nullable (unknown)
 */
public record Account(
    String id,
    String label,
    String clientId,
    String clientSecret,
    String refreshToken,
    String accessToken,
    JsonObject other,
    Instant lastRefreshTime,
    RefreshStatus lastRefreshStatus,
    Instant createdAt,
    Instant updatedAt,
    boolean enabled,
    int errorCount,
    int successCount,
    Instant expiresAt) {

  public Account {
    Objects.requireNonNull(id, "id");
    other = other == null ? new JsonObject() : other.copy();
    lastRefreshStatus = lastRefreshStatus == null ? RefreshStatus.NEVER : lastRefreshStatus;
  }

  @Override
  public JsonObject other() {
    return other.copy();
  }

  /**
   * The stored {@code other} itself, for reads inside this package on the lease path: the hold
   * check runs for every account on every lease, and a deep copy of {@code other} (with its usage
   * and model catalog) each time was a visible share of qbridge's allocation. Never modify it.
   */
  JsonObject otherForReading() {
    return other;
  }

  public boolean hasClientSecret() {
    return !isBlank(clientSecret);
  }

  public boolean hasRefreshToken() {
    return !isBlank(refreshToken);
  }

  public boolean hasAccessToken() {
    return !isBlank(accessToken);
  }

  /** This account after a successful refresh at {@code refreshedAt}. */
  public Account withTokens(String newAccessToken, String newRefreshToken, Instant newExpiresAt, Instant refreshedAt) {
    return new Account(id, label, clientId, clientSecret, newRefreshToken, newAccessToken, other,
        refreshedAt, RefreshStatus.SUCCESS, createdAt, refreshedAt, enabled, errorCount, successCount, newExpiresAt);
  }

  @Override
  public String toString() {
    return "Account[id=" + id + ", label=" + label + ", enabled=" + enabled + ", errorCount=" + errorCount
        + ", successCount=" + successCount + ", lastRefreshStatus=" + lastRefreshStatus.wire()
        + ", expiresAt=" + expiresAt + ", hasAccessToken=" + hasAccessToken()
        + ", hasRefreshToken=" + hasRefreshToken() + "]";
  }

  static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
