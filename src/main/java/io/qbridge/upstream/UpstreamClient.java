package io.qbridge.upstream;

import io.qbridge.config.AppConfig;
import io.qbridge.ids.RandomIds;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Sends {@code GenerateAssistantResponse} (protocol doc §1) and hands back the response as an
 * {@link UpstreamStream} of typed events. One instance per HTTP verticle, bound to that verticle's
 * event loop and pooled keep-alive client; the response never leaves that event loop.
 */
public final class UpstreamClient {

  private final Vertx vertx;
  private final HttpClientAgent http;
  private final AppConfig.Upstream config;
  private final UpstreamTemplate template;
  /** Named to clients when it cannot be reached (our configured endpoint, not a secret). */
  private final String endpointHost;
  private final ConnectQueue connectQueue;

  public UpstreamClient(Vertx vertx, HttpClientAgent http, AppConfig.Upstream config, UpstreamTemplate template) {
    this.vertx = vertx;
    this.http = http;
    this.config = config;
    this.endpointHost = java.net.URI.create(config.amazonqEndpoint()).getHost();
    this.template = template;
    // the wait for a turn is part of the wait for Amazon Q's answer: the same bound
    this.connectQueue = new ConnectQueue(vertx, config.maxConnecting(), config.headersTimeoutMs());
  }

  /**
   * Starts one upstream call. Succeeds with a <em>paused</em> stream once Amazon Q answered 200;
   * the caller attaches handlers and resumes it. Fails with an {@link UpstreamError} for an HTTP
   * error status (body classified), a timeout or a connection failure.
   */
  public Future<UpstreamStream> generate(String accessToken, JsonObject body, Cancellation cancellation) {
    MultiMap headers = template.chatHeaders()
        .set("amz-sdk-invocation-id", RandomIds.uuid())
        .set("authorization", "Bearer " + accessToken);
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(config.amazonqEndpoint())
        .setHeaders(headers)
        .setConnectTimeout(OutboundHttp.acquireTimeoutMs(config))
        // until the headers arrive; once the body streams, UpstreamStream's watchdog takes over.
        // Amazon Q answers with headers at once (the model's latency comes after them), so a
        // silent connection here is a dead one: give up early and let the request fail over
        .setIdleTimeout(Math.min(config.headersTimeoutMs(), config.idleTimeoutMs()));
    return connectQueue.turn(cancellation)
        .compose(turn -> http.request(options).andThen(acquired -> connectQueue.done()))
        .compose(req -> {
          cancellation.onCancel(req::reset);
          return req.send(body.toBuffer());
        })
        .recover(t -> Future.failedFuture(UpstreamStream.transportError(t, endpointHost)))
        .compose(this::accept);
  }

  private Future<UpstreamStream> accept(HttpClientResponse response) {
    if (response.statusCode() == 200) {
      response.pause();
      return Future.succeededFuture(new UpstreamStream(vertx, response, config.idleTimeoutMs()));
    }
    return response.body()
        .recover(t -> Future.succeededFuture(io.vertx.core.buffer.Buffer.buffer()))
        .compose(buf -> Future.failedFuture(UpstreamErrorClassifier.classifyHttp(
            response.statusCode(),
            response.getHeader("x-amzn-errortype"),
            buf.toString(),
            response.getHeader("retry-after"))));
  }
}
