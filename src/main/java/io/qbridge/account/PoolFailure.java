package io.qbridge.account;

import io.qbridge.bus.BusFailure;

/**
 * An expected failure of an account-pool request: replied as {@code message.fail(failure.code(),
 * getMessage())}. The message is client-safe (no tokens, no upstream details). Stackless.
 */
final class PoolFailure extends RuntimeException {
  private final BusFailure failure;
  private final long retryAfterSeconds;
  private final String operatorDetail;

  PoolFailure(BusFailure failure, String clientSafeMessage) {
    this(failure, clientSafeMessage, -1, null);
  }

  /**
   * @param retryAfterSeconds sent along (see {@link BusFailure#withRetryAfter}) when {@code >= 0}
   * @param operatorDetail    extra text for operators (admin API), never sent on the chat path; nullable
   */
  PoolFailure(BusFailure failure, String clientSafeMessage, long retryAfterSeconds, String operatorDetail) {
    super(clientSafeMessage, null, false, false);
    this.failure = failure;
    this.retryAfterSeconds = retryAfterSeconds;
    this.operatorDetail = operatorDetail;
  }

  BusFailure failure() {
    return failure;
  }

  long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  String operatorDetail() {
    return operatorDetail;
  }

  /** The text for {@code message.fail}: the message, with the retry-after as JSON when there is one. */
  String wireText() {
    return retryAfterSeconds >= 0 ? BusFailure.withRetryAfter(getMessage(), retryAfterSeconds) : getMessage();
  }

  static PoolFailure badRequest(String message) {
    return new PoolFailure(BusFailure.BAD_REQUEST, message);
  }

  static PoolFailure notFound() {
    return new PoolFailure(BusFailure.NOT_FOUND, "Account not found");
  }

  static PoolFailure noAccount() {
    return new PoolFailure(BusFailure.NO_ACCOUNT, "No enabled account available: add one in the console at /"
        + " or with POST /v2/accounts (see the README)");
  }
}
