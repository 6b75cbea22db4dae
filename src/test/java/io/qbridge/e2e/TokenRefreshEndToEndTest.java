package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** An account without an access token is refreshed through the real OIDC client before use. */
@ExtendWith(VertxExtension.class)
class TokenRefreshEndToEndTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void missingAccessTokenIsRefreshedThroughOidcAndPersisted(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.emulator.oidc().newAccount();
    JsonObject create = new JsonObject().put("label", "no-token").put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken());
    TestGateway.Response created = gw.postJson("/v2/accounts", create);
    assertThat(created.status()).isEqualTo(201);
    String id = created.json().getString("id");
    assertThat(created.json().getBoolean("hasAccessToken")).isFalse();

    gw.emulator.enqueue(Scenario.text("fresh"));
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    TestGateway.Response r = gw.postJson("/v1/messages", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("fresh");

    // the refresh went to the OIDC endpoint with the CLI's headers and the camelCase grant body
    RecordedRequest refresh = gw.emulator.oidcRequests().stream()
        .filter(q -> q.path().endsWith("/token")).findFirst().orElseThrow();
    assertThat(refresh.body().getString("grantType")).isEqualTo("refresh_token");
    assertThat(refresh.body().getString("refreshToken")).isEqualTo(c.refreshToken());
    assertThat(refresh.header("x-amz-user-agent")).contains("api/ssooidc");
    assertThat(refresh.header("amz-sdk-invocation-id")).matches("[0-9a-f-]{36}");
    // the new token is what Amazon Q saw
    String used = gw.emulator.chatRequests().get(0).token();
    assertThat(gw.emulator.oidc().isAccessTokenValid(used)).isTrue();
    assertThat(used).isEqualTo(gw.emulator.oidc().latestAccessToken(c.clientId()));

    JsonObject account = gw.request(HttpMethod.GET, "/v2/accounts/" + id, null, null).json();
    assertThat(account.getBoolean("hasAccessToken")).isTrue();
    assertThat(account.getString("last_refresh_status")).isEqualTo("success");
    assertThat(account.getString("expires_at")).isNotNull();
    assertThat(account.getInteger("success_count")).isEqualTo(1);
    assertThat(account.toString()).doesNotContain(used).doesNotContain(c.refreshToken());
  }

  @Test
  void revokedRefreshTokenDisablesTheAccountAndTheClientGetsAClearError(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.emulator.oidc().newAccount();
    gw.emulator.oidc().revokeRefreshToken(c.refreshToken());
    JsonObject create = new JsonObject().put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken());
    String id = gw.postJson("/v2/accounts", create).json().getString("id");
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    TestGateway.Response r = gw.postJson("/v1/messages", body);
    assertThat(r.status()).isIn(502, 503);
    assertThat(r.json().getString("type")).isEqualTo("error");
    assertThat(gw.emulator.chatRequests()).isEmpty();
    JsonObject account = gw.request(HttpMethod.GET, "/v2/accounts/" + id, null, null).json();
    assertThat(account.getBoolean("enabled")).isFalse();
    assertThat(account.getString("last_refresh_status")).isEqualTo("failed");
    assertThat(account.getJsonObject("other").encode()).contains("invalid_grant");
  }
}
