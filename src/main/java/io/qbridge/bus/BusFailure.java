package io.qbridge.bus;

/**
 * Failure codes sent with {@code message.fail(code, text)} on the event bus, each with the HTTP
 * status a client sees when it surfaces in an API response.
 */
public enum BusFailure {
  BAD_REQUEST(1, 400),
  NOT_FOUND(2, 404),
  NO_ACCOUNT(3, 503),
  REFRESH_FAILED(4, 502),
  STORE_UNAVAILABLE(5, 503),
  INTERNAL(6, 500),
  /** The refresh token was rejected for good (invalid_grant): re-login needed. */
  INVALID_GRANT(7, 502),
  CONFLICT(8, 409),
  /** An SSO-OIDC call other than a token refresh failed (device login start). */
  OIDC_FAILED(9, 502),
  /**
   * Every usable account is cooling down (rate limited): the client should come back later. The
   * failure text is a JSON object {@code {"message": clientSafeText, "retryAfterSeconds": n}}
   * (see {@link #withRetryAfter}), because a bus failure carries only a code and a string.
   */
  COOLING_DOWN(10, 429),
  /**
   * Our own limit was reached (e.g. the OIDC connection pool is full): nobody's fault but ours, so
   * no account is charged for it.
   */
  LOCAL_CAPACITY(11, 503);

  /** Failure text carrying a retry-after next to the client-safe message. */
  public static String withRetryAfter(String message, long retryAfterSeconds) {
    return new io.vertx.core.json.JsonObject().put("message", message).put("retryAfterSeconds", retryAfterSeconds).encode();
  }

  private final int code;
  private final int httpStatus;

  BusFailure(int code, int httpStatus) {
    this.code = code;
    this.httpStatus = httpStatus;
  }

  public int code() { return code; }

  public int httpStatus() { return httpStatus; }

  public static BusFailure of(int code) {
    for (BusFailure f : values()) {
      if (f.code == code) return f;
    }
    return INTERNAL;
  }
}
