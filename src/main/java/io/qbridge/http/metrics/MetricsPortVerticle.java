package io.qbridge.http.metrics;

import io.qbridge.error.GatewayException;
import io.qbridge.http.admin.AdminApi;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

/**
 * METRICS_PORT: a second listener that serves only {@code GET /metrics}, without a key, for
 * scrapers that should not see (or hold a key for) the admin surface. Everything else is a 404.
 */
public final class MetricsPortVerticle extends VerticleBase {

  private final String host;
  private final int port;
  private final PrometheusMetrics metrics;
  private HttpServer server;

  public MetricsPortVerticle(String host, int port, PrometheusMetrics metrics) {
    this.host = host;
    this.port = port;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    new MetricsApi(vertx, metrics, null).mount(router);
    router.route().last().handler(ctx -> ctx.fail(GatewayException.notFound("Only GET /metrics is served on this port")));
    router.route().failureHandler(new FailureHandler(AdminApi.ERROR_SHAPE));
    server = vertx.createHttpServer();
    return server.requestHandler(router).listen(port, host)
        .recover(t -> Future.failedFuture(new IllegalStateException("cannot listen on METRICS_PORT " + port + ": " + t.getMessage(), t)));
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
