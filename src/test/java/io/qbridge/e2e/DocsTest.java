package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.http.docs.DocsApi;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code /openapi.json} and Swagger UI at {@code /docs}: everything the page loads comes from qbridge itself. */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DocsTest {

  private static final Pattern REFERENCE = Pattern.compile("(?:src|href)=\"([^\"]+)\"");

  private TestGateway gw;

  @BeforeAll
  void start(Vertx vertx, @TempDir Path dir) {
    gw = TestGateway.start(vertx, dir, java.util.Map.of("OPENAI_KEYS", "k1", "ADMIN_KEY", "admin"));
  }

  @AfterAll
  void stop() {
    gw.close();
  }

  @Test
  void openApiJsonIsTheDocumentAndNeedsNoKey() {
    TestGateway.Response r = gw.request(HttpMethod.GET, "/openapi.json", null, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("content-type")).startsWith("application/json");
    assertThat(r.json()).isEqualTo(DocsApi.load());
  }

  @Test
  void docsRedirectsToTheUiPage() {
    TestGateway.Response r = gw.request(HttpMethod.GET, "/docs", null, null);
    assertThat(r.status()).isEqualTo(302);
    assertThat(r.headers().get("location")).isEqualTo("/docs/");
  }

  @Test
  void everyAssetOfTheUiLoadsFromTheSameOriginWithoutInlineScript() {
    TestGateway.Response page = gw.request(HttpMethod.GET, "/docs/", null, null);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    String html = page.body().toString();
    assertThat(html).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>");

    List<String> refs = new ArrayList<>();
    Matcher m = REFERENCE.matcher(html);
    while (m.find()) refs.add(m.group(1));
    assertThat(refs).contains("swagger-ui-bundle.js", "swagger-ui.css", "swagger-initializer.js")
        .allSatisfy(ref -> assertThat(ref).doesNotContain("//").doesNotStartWith("/"));
    for (String ref : refs) {
      TestGateway.Response asset = gw.request(HttpMethod.GET, "/docs/" + ref, null, null);
      assertThat(asset.status()).as(ref).isEqualTo(200);
      assertThat(asset.body().length()).as(ref).isPositive();
    }

    String init = gw.request(HttpMethod.GET, "/docs/swagger-initializer.js", null, null).body().toString();
    assertThat(init).contains("\"../openapi.json\"").contains("validatorUrl: null").doesNotContain("petstore.swagger.io");
  }

  @Test
  void unknownAssetIs404() {
    assertThat(gw.request(HttpMethod.GET, "/docs/nope.js", null, null).status()).isEqualTo(404);
    // the project's docs/ folder on disk is not a web root
    assertThat(gw.request(HttpMethod.GET, "/docs/architecture.md", null, null).status()).isEqualTo(404);
    JsonObject body = gw.request(HttpMethod.GET, "/docs/nope.js", null, null).json();
    assertThat(body.containsKey("error")).isTrue();
  }
}
