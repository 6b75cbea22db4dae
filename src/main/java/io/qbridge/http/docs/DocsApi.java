package io.qbridge.http.docs;

import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The API's own description: {@code GET /openapi.json} (the resource {@code openapi.yaml}, written
 * as YAML for people and served as JSON for tools) and Swagger UI under {@code /docs/}, whose
 * assets come from the {@code org.webjars:swagger-ui} jar on the classpath: same origin, no CDN.
 * Our own {@code index.html} and {@code swagger-initializer.js} (resources under {@code META-INF/qbridge-docs/})
 * shadow the webjar's, so the UI shows our document and runs no inline script.
 */
public final class DocsApi implements ApiModule {

  public static final String DOCUMENT = "openapi.yaml";
  /** A classpath-only name: vert.x resolves a relative web root on disk first (./docs is the project's docs). */
  private static final String OWN_FILES = "META-INF/qbridge-docs";
  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/";
  private static final String WEBJAR_POM = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

  /** Parsed once per JVM, off the event loop ({@link #warmUp()}, called by the HTTP verticle's start). */
  private static final class Document {
    static final Buffer JSON = load().toBuffer();
    static final String WEBJAR_ROOT = WEBJAR + webjarVersion();
  }

  /** Reads and converts the document now; call from a worker so no event loop pays for the YAML parse. */
  public static void warmUp() {
    Document.JSON.length();
  }

  @Override
  public void mount(Router router) {
    router.get("/openapi.json").handler(this::document);
    // the page's asset URLs are relative to /docs/ (vert.x routes "/docs" for "/docs/" too)
    router.get("/docs").handler(ctx -> {
      if (ctx.request().path().endsWith("/")) ctx.next();
      else ctx.redirect("/docs/");
    });
    router.get("/docs/*")
        .handler(StaticHandler.create(OWN_FILES))
        .handler(StaticHandler.create(Document.WEBJAR_ROOT));
  }

  @Override
  public ErrorShape errorShape() { return ErrorShape.OPENAI; }

  @Override
  public boolean serves(String path) { return path.equals("/openapi.json") || path.startsWith("/docs"); }

  private void document(RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json").end(Document.JSON);
  }

  /** The OpenAPI document as JSON, read once from the classpath. */
  public static JsonObject load() {
    try (InputStream in = resource(DOCUMENT)) {
      Object yaml = new Yaml(new SafeConstructor(new LoaderOptions()))
          .load(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return (JsonObject) toJson(yaml);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** YAML maps may have non-string keys (a bare {@code 200}); JSON object keys are strings. */
  private static Object toJson(Object yaml) {
    if (yaml instanceof Map<?, ?> map) {
      Map<String, Object> out = new LinkedHashMap<>();
      map.forEach((k, v) -> out.put(String.valueOf(k), toJson(v)));
      return new JsonObject(out);
    }
    if (yaml instanceof List<?> list) return new JsonArray(list.stream().map(DocsApi::toJson).toList());
    return yaml;
  }

  /** The webjar's version from its own pom.properties, so upgrading the dependency needs no code change. */
  private static String webjarVersion() {
    try (InputStream in = resource(WEBJAR_POM)) {
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in = DocsApi.class.getClassLoader().getResourceAsStream(name);
    if (in == null) throw new IllegalStateException("missing resource " + name);
    return in;
  }
}
