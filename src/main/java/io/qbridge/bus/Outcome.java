package io.qbridge.bus;

import java.util.Locale;

/** How the request made with a lease ended, reported once on release. */
public enum Outcome {
  /** Upstream answered: {@code success_count + 1}, {@code error_count = 0}. */
  SUCCESS,
  /** The account failed (auth, throttling, upstream error): {@code error_count + 1}, may disable. */
  FAILURE,
  /** Not the account's fault (client went away, invalid client request): no bookkeeping. */
  NEUTRAL;

  /** Spelling on the bus: {@code success}, {@code failure}, {@code neutral}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses the bus spelling; {@code null} for anything else. */
  public static Outcome fromWire(Object value) {
    if (value instanceof String s) {
      for (Outcome o : values()) {
        if (o.wire().equals(s)) return o;
      }
    }
    return null;
  }
}
