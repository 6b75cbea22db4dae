package io.qbridge.upstream;

/**
 * Why a {@code ListAvailableModels} or {@code GetUsageLimits} call failed. These calls feed
 * routing, never a client answer, so the failure is a category for the admin API and the log
 * (Amazon Q's text stays in {@link #detail()}, for the log only). No failure here ever disables an
 * account: the caller keeps the static catalog / an unknown usage and tries again later.
 */
public final class RuntimeCallError extends RuntimeException {

  public enum Failure {
    /** Unknown operation, or {@code AccessDeniedException FEATURE_NOT_SUPPORTED}: the account has no such data (a normal answer). */
    NOT_SUPPORTED,
    /** The bearer token was rejected (403 "bearer token … invalid", 401). */
    TOKEN_INVALID,
    /** 429 / ThrottlingException. */
    THROTTLED,
    /** 5xx / InternalServerException. */
    SERVER_ERROR,
    /** Connection refused or reset, or no answer in time. */
    UNREACHABLE,
    /** 200 with a body that is not a JSON object, or larger than the bound. */
    BAD_RESPONSE,
    /** Any other refusal (validation, other access-denied reasons). */
    REJECTED
  }

  private final Failure failure;
  private final int status;
  private final String detail;

  public RuntimeCallError(Failure failure, int status, String detail) {
    super(failure + (status > 0 ? " (HTTP " + status + ")" : ""), null, false, false);
    this.failure = failure;
    this.status = status;
    this.detail = detail;
  }

  public Failure failure() { return failure; }

  /** Amazon Q's HTTP status, 0 for transport failures. */
  public int status() { return status; }

  /** Upstream text, for logs only. */
  public String detail() { return detail; }

  /** What the admin API shows: the category in lower case and the status, never upstream text. */
  public String summary() {
    return failure.name().toLowerCase(java.util.Locale.ROOT) + (status > 0 ? " (HTTP " + status + ")" : "");
  }
}
