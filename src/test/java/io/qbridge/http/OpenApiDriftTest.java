package io.qbridge.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.config.AppConfig;
import io.qbridge.config.ConfigLoader;
import io.qbridge.http.docs.DocsApi;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docs cannot drift from the code: every method + path the router serves is in openapi.yaml,
 * and every operation there is served. Routes without methods (auth, failure handlers, the 404)
 * are cross-cutting, not endpoints; a wildcard route ({@code /docs/*}) is documented by its base.
 */
@ExtendWith(VertxExtension.class)
class OpenApiDriftTest {

  private static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  @Test
  void documentedOperationsAreExactlyTheRegisteredRoutes(Vertx vertx, @TempDir Path dir) {
    assertThat(registered(vertx, dir)).isEqualTo(documented()).isNotEmpty();
  }

  @Test
  void documentDeclaresBothSecuritySchemesAndIsOpenApi31() {
    JsonObject doc = DocsApi.load();
    assertThat(doc.getString("openapi")).startsWith("3.1");
    JsonObject schemes = doc.getJsonObject("components").getJsonObject("securitySchemes");
    assertThat(schemes.getJsonObject("clientKey").getString("name")).isEqualTo("x-api-key");
    assertThat(schemes.getJsonObject("clientBearer").getString("scheme")).isEqualTo("bearer");
    assertThat(schemes.getJsonObject("adminBearer").getString("scheme")).isEqualTo("bearer");
    assertThat(schemes.getJsonObject("adminKey").getString("name")).isEqualTo("x-admin-key");
  }

  static Set<String> documented() {
    Set<String> ops = new TreeSet<>();
    JsonObject paths = DocsApi.load().getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String key : paths.getJsonObject(path).fieldNames()) {
        if (HTTP_METHODS.contains(key)) ops.add(key.toUpperCase() + " " + path);
      }
    }
    return ops;
  }

  private static Set<String> registered(Vertx vertx, Path dir) {
    AppConfig config = ConfigLoader.load(vertx, dir, Map.of(
        "HOST", "127.0.0.1", "PORT", "0", "HTTP_INSTANCES", "1",
        "DATABASE_URL", "jdbc:sqlite:" + dir.resolve("t.sqlite3"),
        "TEMPLATES_DIR", Path.of("templates").toAbsolutePath().toString())).await();
    HttpVerticle verticle = new HttpVerticle(config, UpstreamTemplate.load(config.upstream().templatesDir()),
        io.qbridge.http.security.AdminSecurity.inMemory(config, io.qbridge.time.Timekeeper.system(vertx)),
        new io.qbridge.telemetry.prometheus.PrometheusMetrics(), port -> {});
    vertx.deployVerticle(verticle).await();
    Set<String> ops = new TreeSet<>();
    for (Route route : verticle.router().getRoutes()) {
      if (route.methods() == null || route.methods().isEmpty() || route.getPath() == null) continue;
      String path = route.getPath().replaceAll(":([A-Za-z0-9_]+)", "{$1}");
      route.methods().forEach(m -> ops.add(m.name() + " " + path));
    }
    return ops;
  }
}
