package io.qbridge.bus;

import io.vertx.core.json.JsonObject;

/**
 * An account lent for one upstream request. Release it exactly once with
 * {@link AccountPoolClient#release(Lease, Outcome)}; the access token must not be logged.
 *
 * @param leaseId     uuid identifying this lease
 * @param accountId   the account's id (for logs/metrics only; never show it to API clients)
 * @param label       the account's label, nullable
 * @param accessToken bearer token to send upstream
 */
public record Lease(String leaseId, String accountId, String label, String accessToken) {

  /** Bus reply shape of {@code accounts.lease}. */
  public JsonObject toJson() {
    return new JsonObject().put("leaseId", leaseId).put("accountId", accountId).put("label", label)
        .put("accessToken", accessToken);
  }

  public static Lease fromJson(JsonObject json) {
    return new Lease(json.getString("leaseId"), json.getString("accountId"), json.getString("label"),
        json.getString("accessToken"));
  }

  @Override
  public String toString() {
    return "Lease[leaseId=" + leaseId + ", accountId=" + accountId + ", label=" + label + "]";
  }
}
