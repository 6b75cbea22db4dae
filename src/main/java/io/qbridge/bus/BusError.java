package io.qbridge.bus;

import io.qbridge.error.GatewayException;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * The one failure type of the event bus: a {@link BusFailure} code, a client-safe message, a
 * retry-after and the {@link AccountAction} the failure implies. A consumer fails a request by
 * replying with it ({@link Bus#consume} does); inside one process Vert.x hands the very instance to
 * the requester, so every field arrives as a field. A plain {@code message.fail(code, text)} (or
 * a clustered bus, which carries only code and text) arrives through {@link #from} with the
 * code's defaults. Stackless: these are expected outcomes.
 */
public final class BusError extends ReplyException {

  private final BusFailure failure;
  private final long retryAfterSeconds;
  private final AccountAction accountAction;
  private final String operatorDetail;

  public BusError(BusFailure failure, String clientSafeMessage) {
    this(failure, clientSafeMessage, -1, failure.accountAction(), null);
  }

  /**
   * @param retryAfterSeconds the client's {@code retry-after}, negative for none
   * @param accountAction     what the account pool does with the account concerned
   * @param operatorDetail    extra text for logs and the admin API, never for chat clients; nullable
   */
  public BusError(BusFailure failure, String clientSafeMessage, long retryAfterSeconds, AccountAction accountAction,
      String operatorDetail) {
    super(ReplyFailure.RECIPIENT_FAILURE, failure.code(), clientSafeMessage, true);
    this.failure = failure;
    this.retryAfterSeconds = retryAfterSeconds;
    this.accountAction = accountAction;
    this.operatorDetail = operatorDetail;
  }

  public BusFailure failure() { return failure; }

  /** Seconds the client should wait before retrying, or -1. */
  public long retryAfterSeconds() { return retryAfterSeconds; }

  public AccountAction accountAction() { return accountAction; }

  /** Text for operators (admin API, logs), or null; never shown to chat clients. */
  public String operatorDetail() { return operatorDetail; }

  /** The same failure with a retry-after. */
  public BusError withRetryAfter(long seconds) {
    return new BusError(failure, getMessage(), seconds, accountAction, operatorDetail);
  }

  /** The same failure with another account action. */
  public BusError withAccountAction(AccountAction action) {
    return new BusError(failure, getMessage(), retryAfterSeconds, action, operatorDetail);
  }

  /**
   * The one conversion from whatever a bus request failed with: a {@code BusError} as it is; a
   * plain recipient failure by its code; nobody answering in time → {@link BusFailure#TIMEOUT};
   * nobody listening → {@link BusFailure#UNAVAILABLE}; anything else → {@link BusFailure#INTERNAL}.
   *
   * @param service what was asked, for the messages ("Account pool", "Token refresher", ...)
   */
  public static BusError from(Throwable err, String service) {
    if (err instanceof BusError b) return b;
    if (!(err instanceof ReplyException re)) return new BusError(BusFailure.INTERNAL, service + " request failed");
    return switch (re.failureType()) {
      case TIMEOUT -> new BusError(BusFailure.TIMEOUT, service + " did not answer in time");
      case NO_HANDLERS -> new BusError(BusFailure.UNAVAILABLE, service + " is not available");
      case RECIPIENT_FAILURE -> {
        BusFailure failure = BusFailure.of(re.failureCode());
        String message = re.getMessage() == null || re.getMessage().isBlank() ? failure.name() : re.getMessage();
        yield new BusError(failure, message);
      }
      default -> new BusError(BusFailure.INTERNAL, service + " request failed");
    };
  }

  /** The client's view: the table's status and error type, the message, the retry-after. */
  public GatewayException toGatewayException() {
    return new GatewayException(failure.httpStatus(), failure.errorType(), getMessage(), retryAfterSeconds);
  }
}
