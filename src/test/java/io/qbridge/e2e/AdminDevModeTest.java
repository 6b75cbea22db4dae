package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADMIN_KEY empty: the admin API answers direct loopback peers only. These tests run over
 * loopback, so they prove the refusals that loopback can show (proxy headers, a foreign Host, a
 * cross-site browser request); {@link LoopbackOnlyNetnsTest} shows a real non-loopback peer refused.
 */
@ExtendWith(VertxExtension.class)
class AdminDevModeTest {

  @TempDir Path dir;
  TestGateway gw;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of());
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private static void assertDevModeRefusal(TestGateway.Response r) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(401);
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo("authentication_error");
    assertThat(error.getString("message")).contains("dev mode").contains("ADMIN_KEY");
  }

  @Test
  void directLoopbackNeedsNoSignIn() {
    assertThat(gw.send(HttpMethod.GET, "/v2/accounts", null).status()).isEqualTo(200);
    assertThat(gw.send(HttpMethod.GET, "/v2/session", null).json()).isEqualTo(new JsonObject()
        .put("mode", "dev").put("authenticated", true).put("apiKeyRequired", false).put("via", "loopback"));
    TestGateway.Response signIn = gw.postJson("/v2/session", new JsonObject().put("adminKey", "x"));
    assertThat(signIn.status()).isEqualTo(409);
    assertThat(signIn.json().getJsonObject("error").getString("message")).contains("no sign-in is needed");
  }

  @Test
  void anyForwardingHeaderIsRefusedEvenClaimingLoopback() {
    for (String[] h : new String[][] {{"x-forwarded-for", "127.0.0.1"}, {"forwarded", "for=127.0.0.1"},
        {"x-real-ip", "127.0.0.1"}, {"X-Forwarded-For", ""}}) {
      assertDevModeRefusal(gw.send(HttpMethod.GET, "/v2/accounts", null, h));
      assertDevModeRefusal(gw.send(HttpMethod.GET, "/v2/session", null, h));
      assertDevModeRefusal(gw.send(HttpMethod.POST, "/v2/auth/start", null, h));
    }
  }

  @Test
  void aForeignHostNameIsRefused() {
    // DNS rebinding: a page whose name resolves to 127.0.0.1 talks to us with its own Host
    assertDevModeRefusal(gw.send(HttpMethod.GET, "/v2/accounts", null, "host", "rebind.evil.example:8000"));
    assertThat(gw.send(HttpMethod.GET, "/v2/accounts", null, "host", "localhost:8000").status()).isEqualTo(200);
  }

  @Test
  void crossSiteBrowserChangesAreRefusedScriptsAreNot() {
    JsonObject body = new JsonObject().put("label", "x").put("clientId", "c").put("clientSecret", "s").put("refreshToken", "r");
    TestGateway.Response crossSite = gw.postJson("/v2/accounts", body, "sec-fetch-site", "cross-site");
    assertThat(crossSite.status()).isEqualTo(403);
    assertThat(crossSite.json().getJsonObject("error").getString("type")).isEqualTo("permission_error");
    assertThat(gw.postJson("/v2/accounts", body, "origin", "http://evil.example").status()).isEqualTo(403);
    assertThat(gw.postJson("/v2/accounts", body, "origin", gw.baseUrl()).status()).isEqualTo(201);
    assertThat(gw.postJson("/v2/accounts", body).status()).isEqualTo(201); // curl
  }

  @Test
  void chatApisKeepTheirOwnRule() {
    JsonObject chat = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    TestGateway.Response r = gw.postJson("/v1/messages", chat, "x-forwarded-for", "203.0.113.9");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(503); // no account, but not refused
    assertThat(r.json().getJsonObject("error").getString("message"))
        .contains("No enabled account").contains("POST /v2/accounts").contains("console");
    assertThat(gw.send(HttpMethod.GET, "/v1/models", null, "x-forwarded-for", "203.0.113.9").status()).isEqualTo(200);
  }
}
