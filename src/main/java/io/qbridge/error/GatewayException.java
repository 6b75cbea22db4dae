package io.qbridge.error;

/**
 * An expected failure with the HTTP status and error type a client should see. Handlers
 * {@code ctx.fail(ex)}; the router failure handler renders it in the API's own error shape
 * (Anthropic, OpenAI or admin). Messages must be client-safe: no tokens, ARNs or account ids.
 */
public class GatewayException extends RuntimeException {

  private final int status;
  private final ErrorType type;

  public GatewayException(int status, ErrorType type, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
  }

  public int status() { return status; }

  public ErrorType type() { return type; }

  public static GatewayException badRequest(String message) {
    return new GatewayException(400, ErrorType.INVALID_REQUEST, message);
  }

  public static GatewayException notFound(String message) {
    return new GatewayException(404, ErrorType.NOT_FOUND, message);
  }
}
