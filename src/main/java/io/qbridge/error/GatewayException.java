package io.qbridge.error;

/**
 * An expected failure with the HTTP status and error type a client should see. Handlers
 * {@code ctx.fail(ex)}; the router failure handler renders it in the API's own error shape
 * (Anthropic, OpenAI or admin), with a {@code retry-after} header when {@link #retryAfterSeconds()}
 * is set. Messages must be client-safe: no tokens, ARNs or account ids.
 */
public class GatewayException extends RuntimeException {

  private final int status;
  private final ErrorType type;
  private final long retryAfterSeconds;

  public GatewayException(int status, ErrorType type, String message) {
    this(status, type, message, -1);
  }

  /** @param retryAfterSeconds value of the {@code retry-after} response header, negative for none */
  public GatewayException(int status, ErrorType type, String message, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int status() { return status; }

  public ErrorType type() { return type; }

  /** Seconds the client should wait before retrying ({@code retry-after}), or -1 when unknown. */
  public long retryAfterSeconds() { return retryAfterSeconds; }

  public static GatewayException badRequest(String message) {
    return new GatewayException(400, ErrorType.INVALID_REQUEST, message);
  }

  public static GatewayException notFound(String message) {
    return new GatewayException(404, ErrorType.NOT_FOUND, message);
  }
}
