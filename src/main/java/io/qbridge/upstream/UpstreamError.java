package io.qbridge.upstream;

import io.qbridge.bus.AccountAction;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;

/**
 * A classified upstream failure. {@link Kind} is the one table that maps what Amazon Q said to
 * what we do with the account and what the client sees (protocol doc §4). The client message is
 * fixed per kind so upstream internals (user ids, ARNs, exception names) never leak.
 */
public final class UpstreamError extends GatewayException {

  /**
   * The taxonomy: client status, error type and fixed message, whether another account may succeed
   * ({@link #retryable()}: failover before the first byte), and the {@link AccountAction} the pool
   * applies on release. Documented as a table in docs/accounts.md; every row is exercised against
   * the emulator by {@code ErrorTaxonomyTest}.
   */
  public enum Kind {
    TOKEN_INVALID(502, ErrorType.API_ERROR, "Upstream rejected the account credentials", true, AccountAction.REFRESH_AND_RETRY),
    SUSPENDED(503, ErrorType.OVERLOADED, "Upstream account is suspended", true, AccountAction.DISABLE),
    ACCESS_DENIED(502, ErrorType.API_ERROR, "Upstream denied access for this account", true, AccountAction.COUNT_ERROR),
    QUOTA_EXHAUSTED(429, ErrorType.RATE_LIMIT, "Upstream usage quota is exhausted", true, AccountAction.PARK),
    THROTTLED(429, ErrorType.RATE_LIMIT, "Upstream rate limit reached, please retry later", true, AccountAction.COOLDOWN),
    SUSPICIOUS_ACTIVITY(429, ErrorType.RATE_LIMIT, "Upstream temporarily limited this account", true, AccountAction.LONG_COOLDOWN),
    CAPACITY(529, ErrorType.OVERLOADED, "Upstream model is overloaded, please retry", true, AccountAction.SHORT_COOLDOWN),
    SERVER_ERROR(502, ErrorType.API_ERROR, "Upstream service error", true, AccountAction.SHORT_COOLDOWN),
    CONTEXT_TOO_LONG(400, ErrorType.INVALID_REQUEST, "prompt is too long: the conversation exceeds the upstream context limit", false, AccountAction.NONE),
    MALFORMED_REQUEST(400, ErrorType.INVALID_REQUEST, "Upstream rejected the request as improperly formed", false, AccountAction.NONE),
    // retryable: the account's catalog was stale (issue 13), another account may offer the model
    INVALID_MODEL(400, ErrorType.INVALID_REQUEST, "Upstream does not accept the requested model", true, AccountAction.NONE),
    TIMEOUT(504, ErrorType.TIMEOUT, "Upstream did not answer in time", true, AccountAction.SHORT_COOLDOWN),
    CONNECT_FAILED(502, ErrorType.API_ERROR, "Cannot reach the upstream service", true, AccountAction.NONE),
    PROTOCOL(502, ErrorType.API_ERROR, "Upstream sent a malformed response stream", true, AccountAction.COUNT_ERROR),
    UNKNOWN(502, ErrorType.API_ERROR, "Unexpected upstream error", false, AccountAction.COUNT_ERROR),
    /**
     * Our own limit, not Amazon Q's: this HTTP instance serves UPSTREAM_MAX_CONNECTIONS chat requests
     * at once, or waited too long for a pooled upstream connection. Never charged to an account
     * (no cooldown, no error count) and not failed over: another account would hit the same limit.
     */
    LOCAL_CAPACITY(503, ErrorType.OVERLOADED, "The gateway is at capacity, please retry shortly", false, AccountAction.NONE);

    final int status;
    final ErrorType type;
    final String clientMessage;
    final boolean retryable;
    final AccountAction action;

    Kind(int status, ErrorType type, String clientMessage, boolean retryable, AccountAction action) {
      this.status = status;
      this.type = type;
      this.clientMessage = clientMessage;
      this.retryable = retryable;
      this.action = action;
    }

    /** Whether another account may succeed where this one failed (failover before the first byte). */
    public boolean retryable() { return retryable; }

    public AccountAction accountAction() { return action; }
  }

  private final Kind kind;
  private final int upstreamStatus;
  private final long retryAfterMs;
  private final String detail;

  public UpstreamError(Kind kind, int upstreamStatus, long retryAfterMs, String detail) {
    this(kind, upstreamStatus, retryAfterMs, detail, kind.clientMessage);
  }

  /** @param clientMessage what the client is told: the kind's message, perhaps with a client-safe cause */
  private UpstreamError(Kind kind, int upstreamStatus, long retryAfterMs, String detail, String clientMessage) {
    super(kind.status, kind.type, clientMessage, retryAfterMs < 0 ? -1 : (retryAfterMs + 999) / 1000);
    this.kind = kind;
    this.upstreamStatus = upstreamStatus;
    this.retryAfterMs = retryAfterMs;
    this.detail = detail;
  }

  public static UpstreamError of(Kind kind, String detail) {
    return new UpstreamError(kind, 0, -1, detail);
  }

  /**
   * {@link Kind#CONNECT_FAILED} telling the client which host could not be reached and the class
   * of cause (DNS, refused, timed out, TLS), both safe to show: the host is our configured endpoint.
   */
  public static UpstreamError unreachable(String host, String cause, String detail) {
    return new UpstreamError(Kind.CONNECT_FAILED, 0, -1, detail,
        Kind.CONNECT_FAILED.clientMessage + " " + host + ": " + cause);
  }

  /** How long a client is told to wait when we are at capacity (streams end all the time). */
  static final long LOCAL_CAPACITY_RETRY_AFTER_MS = 1_000;

  /** {@link Kind#LOCAL_CAPACITY} with a {@code retry-after} of one second. */
  public static UpstreamError localCapacity(String detail) {
    return new UpstreamError(Kind.LOCAL_CAPACITY, 0, LOCAL_CAPACITY_RETRY_AFTER_MS, detail);
  }

  public Kind kind() { return kind; }

  /** HTTP status Amazon Q answered with, 0 for transport and in-stream failures. */
  public int upstreamStatus() { return upstreamStatus; }

  /** Parsed {@code retry-after} in ms, or -1. */
  public long retryAfterMs() { return retryAfterMs; }

  /** Upstream text for logs only; may contain account identifiers, never sent to clients. */
  public String detail() { return detail; }
}
