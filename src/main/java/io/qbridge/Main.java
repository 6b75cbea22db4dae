package io.qbridge;

import io.qbridge.config.AppConfig;
import io.qbridge.config.ConfigLoader;
import io.qbridge.http.security.AdminSecurity;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MetricsDomain;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: loads the configuration, deploys qbridge, logs where it listens, and exits non-zero
 * with a clear message when anything fails to start (bad config, port taken, unwritable DB).
 */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  /**
   * Vert.x with its own HTTP server and pool metrics (not the event bus's or the HTTP client's) recorded into
   * {@code registry}, the one /metrics exposes (JVM metrics are bound by {@link PrometheusMetrics});
   * epoll when its native library loads (Linux x86-64, bundled), NIO otherwise: less CPU per request.
   */
  static Vertx vertx(PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(new VertxOptions().setPreferNativeTransport(true).setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true).setJvmMetricsEnabled(false)
            // two bus round trips per chat request (lease, release) cost ~2 % of the CPU in meters
            // nobody reads: the bus is internal plumbing
            .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
            // ~5 % of a chat request's CPU (a meter id built and looked up at request begin and end),
            // counting what qbridge_upstream_calls_total{outcome} already counts with the error kind
            // a status code cannot tell; HTTP server and pool metrics stay
            .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
            // SQL client meters carry their pool's name (Database.open): without it every pool's
            // vertx_sql_* meters had the same id, and Micrometer warned at every start
            .addLabels(Label.NAMESPACE)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
  }

  public static void main(String[] args) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = vertx(registry);
    AppConfig config;
    QBridge app;
    try {
      config = ConfigLoader.load(vertx, Path.of(""), System.getenv()).await(30, TimeUnit.SECONDS);
      log.info("configuration: {}", config.describe());
      if (config.http().apiKeys().isEmpty()) log.warn("OPENAI_KEYS is empty: the API accepts requests without a key (dev mode)");
      if (config.http().adminEnabled()) {
        log.info(AdminSecurity.modeDescription(config));
      } else {
        log.warn(AdminSecurity.modeDescription(config));
      }
      app = QBridge.deploy(vertx, config, new PrometheusMetrics(registry)).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("qbridge failed to start: {}", e.getMessage());
      vertx.close();
      System.exit(1);
      return;
    }
    log.info("qbridge listening on http://{}:{} ({} HTTP instances, {} transport)", config.http().host(), app.port(),
        config.http().instances(), vertx.isNativeTransportEnabled() ? "native epoll" : "NIO");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down");
      try {
        app.close().eventually(vertx::close).await(20, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("unclean shutdown: {}", e.getMessage());
      }
    }, "qbridge-shutdown"));
  }
}
