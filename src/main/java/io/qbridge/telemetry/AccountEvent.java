package io.qbridge.telemetry;

import java.time.Instant;

/**
 * A change in an account's life worth telling an operator about. Never carries a secret: ids,
 * the admin label, a reason word.
 *
 * @param event     {@code account_disabled}, {@code account_suspended}, {@code refresh_token_rejected},
 *                  {@code quota_exhausted}, {@code pool_below_min_healthy}, {@code pool_recovered}
 * @param accountId the account, or {@code null} for pool-wide events
 * @param label     the account's admin label, or {@code null}
 * @param reason    why (the pool's reason word, or "3 healthy < 5" for pool events)
 * @param at        when it was noticed
 */
public record AccountEvent(String event, String accountId, String label, String reason, Instant at) {

  public static final String DISABLED = "account_disabled";
  public static final String SUSPENDED = "account_suspended";
  public static final String REFRESH_TOKEN_REJECTED = "refresh_token_rejected";
  public static final String QUOTA_EXHAUSTED = "quota_exhausted";
  public static final String POOL_BELOW_MIN_HEALTHY = "pool_below_min_healthy";
  public static final String POOL_RECOVERED = "pool_recovered";

  /** Where account events go (the alert webhook); must never block or fail the caller. */
  public interface Sink {
    void publish(AccountEvent event);

    /** Releases what the sink holds (its HTTP client); called when the watch stops. */
    default void close() {}

    Sink NONE = e -> {};
  }
}
