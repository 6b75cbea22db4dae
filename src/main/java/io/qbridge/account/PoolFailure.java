package io.qbridge.account;

import io.qbridge.bus.BusFailure;

/**
 * An expected failure of an account-pool request: replied as {@code message.fail(failure.code(),
 * getMessage())}. The message is client-safe (no tokens, no upstream details). Stackless.
 */
final class PoolFailure extends RuntimeException {
  private final BusFailure failure;

  PoolFailure(BusFailure failure, String clientSafeMessage) {
    super(clientSafeMessage, null, false, false);
    this.failure = failure;
  }

  BusFailure failure() {
    return failure;
  }

  static PoolFailure badRequest(String message) {
    return new PoolFailure(BusFailure.BAD_REQUEST, message);
  }

  static PoolFailure notFound() {
    return new PoolFailure(BusFailure.NOT_FOUND, "Account not found");
  }

  static PoolFailure noAccount() {
    return new PoolFailure(BusFailure.NO_ACCOUNT, "No enabled account available");
  }
}
