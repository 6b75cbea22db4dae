package io.qbridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.config.AppConfig;
import io.qbridge.config.ConfigLoader;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** /healthz says 503 when the account store does not answer (here: no pool verticle at all). */
@ExtendWith(VertxExtension.class)
class HealthHandlerTest {

  @TempDir Path dir;

  @Test
  void unavailableStoreIs503(Vertx vertx) {
    AppConfig config = ConfigLoader.resolve(dir, Map.of("HOST", "127.0.0.1", "PORT", "0", "HTTP_INSTANCES", "1"));
    AtomicInteger port = new AtomicInteger();
    vertx.deployVerticle(new HttpVerticle(config, UpstreamTemplate.load("templates"),
        io.qbridge.http.security.AdminSecurity.inMemory(config, io.qbridge.time.Timekeeper.system(vertx)),
        new io.qbridge.telemetry.prometheus.PrometheusMetrics(), port::set)).await();
    io.vertx.core.Promise<JsonObject> body = io.vertx.core.Promise.promise();
    int[] status = new int[1];
    vertx.runOnContext(v -> vertx.createHttpClient()
        .request(HttpMethod.GET, port.get(), "127.0.0.1", "/healthz")
        .compose(req -> req.send())
        .compose(resp -> {
          status[0] = resp.statusCode();
          return resp.body();
        })
        .map(b -> new JsonObject(b))
        .onComplete(body));
    JsonObject json = body.future().await();
    assertThat(status[0]).isEqualTo(503);
    assertThat(json.getString("status")).isEqualTo("unavailable");
    assertThat(json.getBoolean("db")).isFalse();
  }
}
