package io.qbridge;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.qbridge.config.AppConfig;
import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Vert.x that Main builds records its own HTTP server and SQL client metrics (one set per
 * database pool) into the registry /metrics shows, and not the HTTP client's.
 */
class VertxMetricsTest {

  @Test
  void httpServerMetricsReachTheScrape(@TempDir Path dir) throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Main.vertx(registry);
    try {
      AmazonQEmulator emu = AmazonQEmulator.start(vertx).await(10, TimeUnit.SECONDS);
      AppConfig config = TestGateway.config(vertx, emu, dir, Map.of());
      QBridge app = QBridge.deploy(vertx, config, new PrometheusMetrics(registry)).await(30, TimeUnit.SECONDS);
      int status = vertx.createHttpClient().request(HttpMethod.GET, app.port(), "127.0.0.1", "/healthz")
          .compose(r -> r.send()).map(r -> r.statusCode()).await(10, TimeUnit.SECONDS);
      assertThat(status).isEqualTo(200);
      // the server counts a request when its response has ended, which may follow the client's
      // view of the status line by a moment: poll with a deadline
      String text = app.metrics().scrape();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!text.contains("vertx_http_server_requests_total") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        text = app.metrics().scrape();
      }
      assertThat(text).contains("vertx_http_server_requests_total", "jvm_memory_used_bytes", "qbridge_active_streams");
      // each component's database pool has its own SQL client meters (they once shared one id)
      assertThat(text).contains("vertx_sql_processing_pending{client_namespace=\"accounts\"",
          "vertx_sql_processing_pending{client_namespace=\"audit\"");
      assertThat(text).as("the HTTP client's metrics are off: qbridge_upstream_calls_total counts the calls")
          .doesNotContain("vertx_http_client_");
      app.close().await(10, TimeUnit.SECONDS);
      emu.close().await(10, TimeUnit.SECONDS);
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
