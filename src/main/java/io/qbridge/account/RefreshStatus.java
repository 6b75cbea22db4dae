package io.qbridge.account;

import java.util.Locale;

/** Outcome of the last token refresh, stored in {@code last_refresh_status} as q2api spells it. */
public enum RefreshStatus {
  NEVER,
  SUCCESS,
  FAILED;

  /** The stored spelling: {@code never}, {@code success} or {@code failed}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Lenient reading of a stored value; anything unknown (or null) reads as {@link #NEVER}. */
  public static RefreshStatus fromWire(String value) {
    if (value != null) {
      for (RefreshStatus s : values()) {
        if (s.wire().equalsIgnoreCase(value.trim())) return s;
      }
    }
    return NEVER;
  }
}
