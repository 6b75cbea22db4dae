package io.qbridge.web;

import io.qbridge.telemetry.Metrics;
import io.qbridge.telemetry.RequestFacts;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One access-log line per request, at INFO on logger {@code io.qbridge.access}, written when the
 * response ends or the connection closes, whatever happened in between (errors, streams, clients
 * that left); the same moment feeds the request metrics. Fields are key=value in the message and
 * key-value pairs on the event (JSON logs show them as typed fields). Only the path is logged,
 * never the query string, headers or body: no keys, no prompts.
 *
 * <p>TTFT is the time until the headers of an SSE response went out, which the relay sends with
 * the first content (or the first keep-alive of a long-silent upstream).
 */
public final class AccessLog implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger("io.qbridge.access");

  private final Metrics metrics;

  public AccessLog(Metrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long start = System.nanoTime();
    RequestFacts.of(ctx).metrics(metrics);
    long[] ttft = {-1};
    ctx.addHeadersEndHandler(v -> {
      String type = ctx.response().headers().get("content-type");
      if (type != null && type.startsWith("text/event-stream")) {
        ttft[0] = System.nanoTime() - start;
        metrics.streamOpened();
      }
    });
    // one tick later: the response often ends inside the chat flow, which then records its outcome
    ctx.addEndHandler(ar -> {
      long duration = System.nanoTime() - start;
      ctx.vertx().runOnContext(v -> ended(ctx, duration, ttft[0], ar.failed()));
    });
    ctx.next();
  }

  private void ended(RoutingContext ctx, long durationNanos, long ttftNanos, boolean aborted) {
    if (ttftNanos >= 0) metrics.streamClosed();
    HttpServerResponse response = ctx.response();
    int status = response.getStatusCode();
    RequestFacts facts = RequestFacts.of(ctx);
    metrics.requestEnded(facts, status, durationNanos, ttftNanos);
    if (log.isInfoEnabled()) log(ctx.request(), RequestIds.of(ctx), status, durationNanos, ttftNanos, aborted, facts);
  }

  private static void log(HttpServerRequest request, String requestId, int status, long durationNanos, long ttftNanos,
                          boolean aborted, RequestFacts facts) {
    SocketAddress peer = request.remoteAddress();
    StringBuilder line = new StringBuilder(160);
    LoggingEventBuilder event = log.atInfo();
    field(event, line, "requestId", requestId);
    field(event, line, "method", request.method().name());
    field(event, line, "path", request.path());
    field(event, line, "status", status);
    field(event, line, "durationMs", millis(durationNanos));
    if (ttftNanos >= 0) field(event, line, "ttftMs", millis(ttftNanos));
    if (aborted) field(event, line, "aborted", true);
    if (facts.api() != null) field(event, line, "api", facts.api());
    if (facts.model() != null) field(event, line, "model", facts.model());
    if (facts.accountId() != null) field(event, line, "accountId", facts.accountId());
    if (facts.attempts() > 0) field(event, line, "attempts", facts.attempts());
    if (facts.inputTokens() >= 0) field(event, line, "inputTokens", facts.inputTokens());
    if (facts.outputTokens() >= 0) field(event, line, "outputTokens", facts.outputTokens());
    field(event, line, "client", peer == null ? "-" : peer.hostAddress());
    event.log(line.toString());
  }

  private static void field(LoggingEventBuilder event, StringBuilder line, String key, Object value) {
    if (!line.isEmpty()) line.append(' ');
    line.append(key).append('=').append(value);
    event.addKeyValue(key, value);
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 10_000.0) / 100.0;
  }
}
