package io.qbridge.http.metrics;

import io.qbridge.http.admin.AdminApi;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: every meter in Prometheus text format. On the public port it sits behind
 * the admin guard (the same one as the admin API); on METRICS_PORT, a port meant for scrapers
 * only, it is open. The scrape runs off the event loop: its cost grows with the number of series
 * (one per account for the in-flight gauge).
 */
public final class MetricsApi implements ApiModule {

  public static final String PATH = "/metrics";
  private static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final PrometheusMetrics metrics;
  private final Handler<RoutingContext> guard;

  /** @param guard admin authentication, or {@code null} on the scrape-only port */
  public MetricsApi(Vertx vertx, PrometheusMetrics metrics, Handler<RoutingContext> guard) {
    this.vertx = vertx;
    this.metrics = metrics;
    this.guard = guard;
  }

  @Override
  public void mount(Router router) {
    if (guard != null) router.route(PATH).handler(guard);
    router.get(PATH).handler(this::scrape);
    router.route(PATH).failureHandler(new FailureHandler(errorShape()));
  }

  @Override
  public ErrorShape errorShape() { return AdminApi.ERROR_SHAPE; }

  @Override
  public boolean serves(String path) { return path.equals(PATH); }

  private void scrape(RoutingContext ctx) {
    vertx.executeBlocking(metrics::scrape, false)
        .onSuccess(text -> ctx.response().putHeader("content-type", CONTENT_TYPE).end(text))
        .onFailure(ctx::fail);
  }
}
