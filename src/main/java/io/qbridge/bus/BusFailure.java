package io.qbridge.bus;

import io.qbridge.error.ErrorType;

/**
 * The one table of event-bus failures: the code sent on the bus, the HTTP status and error type a
 * client sees when the failure surfaces in an API response (each API spells the type its own way,
 * see {@link ErrorType} and the error shapes), and the {@link AccountAction} a failure implies when
 * nothing more specific was said. Codes are stable: they cross the bus as
 * {@code ReplyException.failureCode()}.
 */
public enum BusFailure {
  BAD_REQUEST(1, 400, ErrorType.INVALID_REQUEST),
  NOT_FOUND(2, 404, ErrorType.NOT_FOUND),
  /** No account can be lent (the message says why: none enabled, all busy, all parked, none left). */
  NO_ACCOUNT(3, 503, ErrorType.OVERLOADED),
  /** A token refresh failed: the account is charged one failure. */
  REFRESH_FAILED(4, 502, ErrorType.API_ERROR, AccountAction.COUNT_ERROR),
  STORE_UNAVAILABLE(5, 503, ErrorType.OVERLOADED),
  INTERNAL(6, 500, ErrorType.API_ERROR),
  /** The refresh token was rejected for good (invalid_grant): re-login needed, the account is disabled. */
  INVALID_GRANT(7, 502, ErrorType.API_ERROR, AccountAction.DISABLE),
  CONFLICT(8, 409, ErrorType.INVALID_REQUEST),
  /** An SSO-OIDC call other than a token refresh failed (device login start). */
  OIDC_FAILED(9, 502, ErrorType.API_ERROR),
  /** Every usable account is cooling down (rate limited): retry after {@link BusError#retryAfterSeconds()}. */
  COOLING_DOWN(10, 429, ErrorType.RATE_LIMIT),
  /** Our own limit was reached (e.g. the OIDC connection pool is full): nobody's fault but ours. */
  LOCAL_CAPACITY(11, 503, ErrorType.OVERLOADED),
  /** Nobody answered in time ({@code ReplyFailure.TIMEOUT}); never sent with {@code fail}. */
  TIMEOUT(12, 504, ErrorType.TIMEOUT),
  /** Nobody listens on the address ({@code ReplyFailure.NO_HANDLERS}); never sent with {@code fail}. */
  UNAVAILABLE(13, 503, ErrorType.OVERLOADED),
  /** A payload over a configured size limit (e.g. a response over RESPONSES_MAX_BYTES is not stored). */
  TOO_LARGE(14, 413, ErrorType.REQUEST_TOO_LARGE);

  private final int code;
  private final int httpStatus;
  private final ErrorType errorType;
  private final AccountAction accountAction;

  BusFailure(int code, int httpStatus, ErrorType errorType) {
    this(code, httpStatus, errorType, AccountAction.NONE);
  }

  BusFailure(int code, int httpStatus, ErrorType errorType, AccountAction accountAction) {
    this.code = code;
    this.httpStatus = httpStatus;
    this.errorType = errorType;
    this.accountAction = accountAction;
  }

  public int code() { return code; }

  public int httpStatus() { return httpStatus; }

  public ErrorType errorType() { return errorType; }

  /** The account action of a failure with this code when its sender named none. */
  public AccountAction accountAction() { return accountAction; }

  /** The failure of {@code code}; {@link #INTERNAL} for a code we do not know. */
  public static BusFailure of(int code) {
    for (BusFailure f : values()) {
      if (f.code == code) return f;
    }
    return INTERNAL;
  }
}
