package io.qbridge.bus;

/**
 * What the account pool does with an account after a failure: the vocabulary shared by the
 * upstream error taxonomy ({@code UpstreamError.Kind}), the {@code accounts.release} message and
 * the token refresher's failures. Spelled in lower case on the bus ({@code count_error}, ...).
 */
public enum AccountAction {
  /** Not the account's fault (client-side problem, our own capacity, the network): count nothing. */
  NONE,
  /** Access token rejected: refresh it, then retry once on the same account. */
  REFRESH_AND_RETRY,
  /** Account suspended, or its refresh token revoked: disable it and keep the reason. */
  DISABLE,
  /** Quota exhausted: park the account until the quota resets. */
  PARK,
  /** Rate limited: cool the account down (honour retry-after). */
  COOLDOWN,
  /** Abuse protection: a long cool-down with jitter. */
  LONG_COOLDOWN,
  /** Transient service trouble: a short cool-down. */
  SHORT_COOLDOWN,
  /** Unknown failure: count an error. */
  COUNT_ERROR;

  /** The bus spelling. */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Parses the bus spelling (any case); {@code null} when {@code value} is no action. */
  public static AccountAction fromWire(Object value) {
    if (value instanceof String s) {
      for (AccountAction a : values()) {
        if (a.name().equalsIgnoreCase(s)) return a;
      }
    }
    return null;
  }
}
