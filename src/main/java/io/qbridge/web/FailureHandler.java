package io.qbridge.web;

import io.qbridge.bus.BusError;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a failed {@link RoutingContext} into an error response in one API's shape (one instance
 * per shape, registered on that API's routes). Statuses and error types come from the failure:
 * a {@link GatewayException} (bus failures through the {@code BusFailure} table, upstream ones
 * through {@code UpstreamError.Kind}), else the bare HTTP status. Unexpected exceptions are logged
 * with a stack trace and reported as a generic 500 with no internals. Streams that already sent
 * headers are handled by the relay.
 */
public final class FailureHandler implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(FailureHandler.class);

  private final ErrorShape shape;

  public FailureHandler(ErrorShape shape) {
    this.shape = shape;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure() instanceof BusError b ? b.toGatewayException() : ctx.failure();
    int status;
    ErrorType type;
    String message;
    if (failure instanceof GatewayException g) {
      status = g.status();
      type = g.type();
      message = g.getMessage();
      if (g.retryAfterSeconds() >= 0 && !ctx.response().headWritten()) {
        ctx.response().putHeader("retry-after", Long.toString(g.retryAfterSeconds()));
      }
    } else if (failure instanceof HttpException h) {
      status = h.getStatusCode();
      type = typeFor(status);
      message = h.getPayload() != null ? h.getPayload() : defaultMessage(status);
    } else if (failure == null) {
      status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      type = typeFor(status);
      message = defaultMessage(status);
    } else {
      log.error("unhandled failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      status = 500;
      type = ErrorType.API_ERROR;
      message = "Internal server error";
    }
    send(ctx.response(), shape, status, type, message);
  }

  /** Writes one error response unless headers already went out (then the connection is reset). */
  public static void send(HttpServerResponse response, ErrorShape shape, int status, ErrorType type, String message) {
    if (response.ended() || response.closed()) return;
    if (response.headWritten()) {
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(shape.body(type, message).toBuffer());
  }

  /** Error type of a bare HTTP status (vertx-web's own failures: 404, 405, 413, ...); bus failures use {@code BusFailure}. */
  static ErrorType typeFor(int status) {
    return switch (status) {
      case 400, 405, 415, 422 -> ErrorType.INVALID_REQUEST;
      case 401 -> ErrorType.AUTHENTICATION;
      case 403 -> ErrorType.PERMISSION;
      case 404 -> ErrorType.NOT_FOUND;
      case 413 -> ErrorType.REQUEST_TOO_LARGE;
      case 429 -> ErrorType.RATE_LIMIT;
      case 503, 529 -> ErrorType.OVERLOADED;
      case 504 -> ErrorType.TIMEOUT;
      default -> ErrorType.API_ERROR;
    };
  }

  static String defaultMessage(int status) {
    return switch (status) {
      case 400 -> "Bad request";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 413 -> "Request body too large";
      case 415 -> "Unsupported media type";
      default -> "Request failed with status " + status;
    };
  }
}
