package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two qbridge instances (each on its own Vert.x) on one PostgreSQL database, in front of one
 * emulator: token refreshes, device logins, console sessions and the sign-in lockout are shared
 * through the database. Skipped when PostgreSQL is not installed. The killed-instance case runs the
 * other instance as a separate JVM, so "killed" is a real SIGKILL ({@link KilledInstanceTest}).
 */
@ExtendWith(VertxExtension.class)
class SeveralInstancesTest {

  static final String KEY = "several-instances-admin-key";

  @TempDir Path dir;
  AmazonQEmulator emu;
  Vertx vertxA;
  Vertx vertxB;
  TestGateway a;
  TestGateway b;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    PostgresServer server = PostgresServer.shared();
    String url = server.url(server.createDatabase("instances"));
    emu = AmazonQEmulator.start(vertx).await();
    Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", url, "ADMIN_KEY", KEY));
    vertxA = Vertx.vertx();
    vertxB = Vertx.vertx();
    a = TestGateway.startSharing(vertxA, emu, Files.createDirectories(dir.resolve("a")), env);
    b = TestGateway.startSharing(vertxB, emu, Files.createDirectories(dir.resolve("b")), env);
  }

  @AfterEach
  void stop() {
    for (TestGateway gw : new TestGateway[] {a, b}) {
      if (gw != null) gw.close();
    }
    for (Vertx v : new Vertx[] {vertxA, vertxB}) {
      if (v != null) v.close().await();
    }
    if (emu != null) emu.close().await();
  }

  static JsonObject chat() {
    return new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 50)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
  }

  @Test
  void tokensExpiredUnderLoadOnBothInstancesAreRefreshedOncePerAccount() throws Exception {
    List<Credentials> accounts = List.of(a.addAccount(), a.addAccount(), a.addAccount());
    emu.oidc().setRotateRefreshTokens(true); // a second refresh with the old refresh token would fail (invalid_grant)
    emu.oidc().setRefreshDelayMs(300); // both instances find the tokens expired while the first refresh runs
    accounts.forEach(c -> emu.oidc().expireAccessToken(c.accessToken()));

    CompletableFuture<List<TestGateway.Response>> onA =
        CompletableFuture.supplyAsync(() -> a.postConcurrently("/v1/messages", chat(), 30));
    List<TestGateway.Response> onB = b.postConcurrently("/v1/messages", chat(), 30);

    assertThat(onB).extracting(TestGateway.Response::status).containsOnly(200);
    assertThat(onA.get()).extracting(TestGateway.Response::status).containsOnly(200);
    for (Credentials c : accounts) {
      assertThat(emu.oidc().refreshCountForClient(c.clientId())).as("OIDC refreshes of " + c.clientId()).isEqualTo(1);
      JsonObject row = b.account(c.clientId());
      assertThat(row.getBoolean("enabled")).isTrue();
      assertThat(row.getString("last_refresh_status")).isEqualTo("success");
    }
  }

  @Test
  void aDeviceLoginStartedOnAIsClaimedOnBothAndCreatesOneAccount() throws Exception {
    emu.oidc().setDeviceIntervalSeconds(0);
    JsonObject started = a.postJson("/v2/auth/start", new JsonObject().put("label", "shared"), "x-admin-key", KEY).json();
    String authId = started.getString("authId");
    assertThat(b.get("/v2/auth/status/" + authId, "x-admin-key", KEY).json().getString("status")).isEqualTo("pending");

    CompletableFuture<TestGateway.Response> claimOnA = CompletableFuture.supplyAsync(
        () -> a.send(HttpMethod.POST, "/v2/auth/claim/" + authId, null, "x-admin-key", KEY));
    CompletableFuture<TestGateway.Response> claimOnB = CompletableFuture.supplyAsync(
        () -> b.send(HttpMethod.POST, "/v2/auth/claim/" + authId, null, "x-admin-key", KEY));
    emu.oidc().approve(started.getString("userCode"));

    TestGateway.Response onA = claimOnA.get();
    TestGateway.Response onB = claimOnB.get();
    assertThat(onA.status()).isEqualTo(201);
    assertThat(onB.status()).isEqualTo(201);
    assertThat(onB.json().getString("id")).isEqualTo(onA.json().getString("id"));
    JsonArray listed = new JsonArray(b.get("/v2/accounts", "x-admin-key", KEY).body());
    assertThat(listed).hasSize(1);
    assertThat(a.get("/v2/auth/status/" + authId, "x-admin-key", KEY).json().getString("accountId"))
        .isEqualTo(onA.json().getString("id"));
  }

  @Test
  void aConsoleSessionFromAIsValidOnBAndSigningOutOnBEndsItOnA() {
    TestGateway.Response signedIn = a.send(HttpMethod.POST, "/v2/session", new JsonObject().put("adminKey", KEY).toBuffer(),
        "content-type", "application/json", "origin", a.baseUrl());
    assertThat(signedIn.status()).isEqualTo(200);
    String cookie = signedIn.headers().get("set-cookie").split(";")[0];

    assertThat(b.get("/v2/accounts", "cookie", cookie).status()).isEqualTo(200);
    assertThat(b.get("/v2/session", "cookie", cookie).json().getString("via")).isEqualTo("session");
    assertThat(b.send(HttpMethod.DELETE, "/v2/session", null, "cookie", cookie, "origin", b.baseUrl()).status()).isEqualTo(200);

    TestGateway.Response afterSignOut = a.get("/v2/accounts", "cookie", cookie);
    assertThat(afterSignOut.status()).isEqualTo(401);
    assertThat(afterSignOut.json().getJsonObject("error").getString("message")).contains("session has ended");
  }

  @Test
  void failedSignInsOnEveryInstanceCountIntoOneLockout() {
    for (int i = 0; i < 5; i++) {
      assertThat(a.get("/v2/accounts", "x-admin-key", "wrong-" + i).status()).isEqualTo(401);
      assertThat(b.get("/v2/accounts", "x-admin-key", "wrong-" + i).status()).isEqualTo(401);
    }
    TestGateway.Response lockedOnA = a.get("/v2/accounts", "x-admin-key", KEY);
    assertThat(lockedOnA.status()).as("ten failures over both instances lock the address, the right key too").isEqualTo(429);
    assertThat(Long.parseLong(lockedOnA.headers().get("retry-after"))).isBetween(1L, 60L);
    assertThat(b.get("/v2/accounts", "x-admin-key", KEY).status()).isEqualTo(429);
  }
}
