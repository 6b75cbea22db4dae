package io.qbridge.web;

import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads the request body as raw bytes, whatever its {@code Content-Type}: every body qbridge
 * accepts is JSON, and curl's {@code -d} labels it {@code application/x-www-form-urlencoded}
 * (q2api accepts that, and curl users depend on it). So no form or multipart decoding ever runs
 * (vertx-web's BodyHandler does, and failed with a 500 on form fields over 8 KB) and nothing is
 * written to disk. The body is then read with {@link Bodies}.
 *
 * <p>A body over the limit is refused with 413 in the route's error shape (through the route's
 * failure handler) as soon as its {@code Content-Length} or its bytes so far show it; the rest is
 * read and dropped, so the client gets the answer instead of a reset connection.
 * {@code Expect: 100-continue} is answered here, and only when the declared length fits.
 */
public final class RawBodyHandler implements Handler<RoutingContext> {

  private final long limit;
  private final String limitName;

  /** @param limit largest accepted body in bytes; @param limitName what the 413 message calls it */
  public RawBodyHandler(long limit, String limitName) {
    this.limit = limit;
    this.limitName = limitName;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (request.isEnded()) { // no body at all (or one read before: not in our route table)
      Bodies.set(ctx, Buffer.buffer());
      ctx.next();
      return;
    }
    long declared = declaredLength(request);
    if (declared > limit) {
      drainAndRefuse(ctx);
      return;
    }
    if (request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true)) request.response().writeContinue();
    Buffer body = Buffer.buffer((int) Math.min(Math.max(declared, 0), 64 * 1024));
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) return;
      if (body.length() + (long) chunk.length() > limit) {
        refused[0] = true;
        drainAndRefuse(ctx);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (refused[0]) return;
      Bodies.set(ctx, body);
      ctx.next();
    });
    request.resume();
  }

  private void drainAndRefuse(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    request.handler(chunk -> { });
    request.endHandler(v -> { });
    request.resume();
    ctx.fail(new GatewayException(413, ErrorType.REQUEST_TOO_LARGE,
        "Request body is larger than " + limit + " bytes (" + limitName + ")"));
  }

  /** The Content-Length, or -1 when absent (chunked) or not a number (then the bytes decide). */
  private static long declaredLength(HttpServerRequest request) {
    String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (value == null) return -1;
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
