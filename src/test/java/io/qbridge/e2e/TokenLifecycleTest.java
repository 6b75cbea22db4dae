package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.time.ManualTimekeeper;
import io.qbridge.emulator.RecordedRequest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Access-token lifecycle through the real gateway and the emulator's OIDC side. */
@ExtendWith(VertxExtension.class)
class TokenLifecycleTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  private static void await(String what, long ms, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + ms;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private TestGateway.Response refresh(String id) {
    return gw.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null);
  }

  @Test
  void aRejectedTokenIsRefreshedAndTheRequestRetriedOnTheSameAccount(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.addAccount();
    gw.emulator.oidc().expireAccessToken(c.accessToken()); // qbridge still thinks it is fresh

    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));

    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    List<RecordedRequest> calls = gw.emulator.chatRequests();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).token()).isEqualTo(c.accessToken());
    assertThat(calls.get(1).token()).isEqualTo(gw.emulator.oidc().latestAccessToken(c.clientId())).isNotEqualTo(c.accessToken());
    assertThat(gw.emulator.oidc().refreshCountForClient(c.clientId())).isEqualTo(1);
    JsonObject a = gw.account(c.clientId());
    assertThat(a.getInteger("success_count")).isEqualTo(1);
    assertThat(a.getInteger("error_count")).isZero();
    assertThat(a.getString("last_refresh_status")).isEqualTo("success");
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void concurrentRequestsRejectedWithTheSameTokenShareOneForcedRefresh(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.addAccount();
    gw.emulator.oidc().setRefreshDelayMs(300);
    gw.emulator.oidc().expireAccessToken(c.accessToken());

    List<TestGateway.Response> responses = gw.postConcurrently("/v1/messages", MessagesEndToEndTest.body(false), 20);

    assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(gw.emulator.oidc().refreshCountForClient(c.clientId())).as("OIDC refresh calls").isEqualTo(1);
    String fresh = gw.emulator.oidc().latestAccessToken(c.clientId());
    assertThat(gw.emulator.chatRequests().stream().filter(r -> fresh.equals(r.token()))).hasSize(20);
    assertThat(gw.account(c.clientId()).getInteger("success_count")).isEqualTo(20);
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void invalidGrantDisablesTheAccountOnceAndRequestsMoveOn(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials revoked = gw.addAccount();
    Credentials healthy = gw.addAccount();
    gw.emulator.oidc().expireAccessToken(revoked.accessToken());
    gw.emulator.oidc().revokeRefreshToken(revoked.refreshToken());

    for (int i = 0; i < 10; i++) {
      TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(i % 2 == 0));
      assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    }

    JsonObject a = gw.account(revoked.clientId());
    assertThat(a.getBoolean("enabled")).isFalse();
    assertThat(a.getString("state")).isEqualTo("disabled");
    assertThat(a.getJsonObject("other").getString("disabledReason")).isEqualTo("invalid_grant");
    assertThat(a.getString("last_refresh_status")).isEqualTo("failed");
    assertThat(gw.emulator.oidc().refreshCountForClient(revoked.clientId())).as("not retried forever").isLessThanOrEqualTo(1);
    assertThat(gw.account(healthy.clientId()).getInteger("success_count")).isEqualTo(10);

    // the last account gone too: the client learns the credentials were rejected, then that none is left
    gw.emulator.oidc().expireAccessToken(healthy.accessToken());
    gw.emulator.oidc().revokeRefreshToken(healthy.refreshToken());
    TestGateway.Response last = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(last.status()).isEqualTo(502);
    assertThat(last.json().getJsonObject("error").getString("message")).contains("credentials");
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(503);
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void backgroundSweepRefreshesNeverRefreshedAndSoonExpiringTokensOnly(Vertx vertx) throws Exception {
    ManualTimekeeper time = new ManualTimekeeper();
    gw = TestGateway.start(vertx, dir, Map.of("REFRESH_INTERVAL_SECONDS", "1", "REFRESH_BEFORE_EXPIRY_SECONDS", "300"), time);
    Instant start = time.now();
    Credentials c = gw.addAccount(); // never refreshed: due
    time.advance(1000); // a sweep
    await("first background refresh", 5000, () -> gw.emulator.oidc().refreshCountForClient(c.clientId()) == 1
        && "success".equals(gw.account(c.clientId()).getString("last_refresh_status")));
    JsonObject a = gw.account(c.clientId());
    assertThat(Instant.parse(a.getString("last_refresh_time"))).isEqualTo(start.plusSeconds(1));
    assertThat(Instant.parse(a.getString("expires_at"))).isEqualTo(start.plusSeconds(1 + 3600));

    time.advance(1000); // one more sweep: the token is young and far from expiry
    gw.health(); // the pool answers in order: the sweep has read the accounts and decided by now
    assertThat(gw.emulator.oidc().refreshCountForClient(c.clientId())).isEqualTo(1);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(200);
    assertThat(gw.emulator.chatRequests().get(0).token()).isEqualTo(gw.emulator.oidc().latestAccessToken(c.clientId()));

    // tokens that now live 120 s expire "within 300 s": every sweep refreshes them
    gw.emulator.oidc().setAccessTokenTtlSeconds(120);
    assertThat(refresh(gw.account(c.clientId()).getString("id")).status()).isEqualTo(200);
    for (int sweeps = 1; sweeps <= 2; sweeps++) {
      int expected = 2 + sweeps;
      time.advance(1000);
      // saved; a tick during a running sweep starts one more right after it, so none is lost
      await("sweep " + sweeps + " refreshing a soon-expiring token", 5000,
          () -> gw.emulator.oidc().refreshCountForClient(c.clientId()) == expected
              && time.now().equals(Instant.parse(gw.account(c.clientId()).getString("last_refresh_time"))));
    }
  }


  @Test
  void adminRefreshReportsTheResult(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.addAccount();
    String id = gw.account(c.clientId()).getString("id");

    TestGateway.Response ok = refresh(id);
    assertThat(ok.status()).isEqualTo(200);
    JsonObject body = ok.json();
    assertThat(body.getString("id")).isEqualTo(id);
    assertThat(body.getString("last_refresh_status")).isEqualTo("success");
    assertThat(body.getString("last_refresh_time")).isNotNull();
    assertThat(body.getString("expires_at")).isNotNull();
    assertThat(ok.body().toString()).doesNotContain(c.refreshToken(), gw.emulator.oidc().latestAccessToken(c.clientId()));
    assertThat(gw.emulator.oidc().refreshCountForClient(c.clientId())).isEqualTo(1);

    TestGateway.Response unknown = refresh("no-such-account");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonObject("error").getString("message")).isEqualTo("Account not found");

    gw.emulator.oidc().revokeRefreshToken(c.refreshToken());
    TestGateway.Response rejected = refresh(id);
    assertThat(rejected.status()).isEqualTo(502);
    assertThat(rejected.json().getJsonObject("error").getString("message"))
        .contains("invalid_grant").contains("disabled");
    JsonObject after = gw.account(c.clientId());
    assertThat(after.getBoolean("enabled")).isFalse();
    assertThat(after.getString("last_refresh_status")).isEqualTo("failed");

    gw.emulator.oidc().enqueueTokenFailure(500, "server_error", "OIDC is down", "InternalServerException");
    TestGateway.Response down = refresh(id);
    assertThat(down.status()).isEqualTo(502);
    assertThat(down.json().getJsonObject("error").getString("message")).contains("Token refresh failed").contains("OIDC is down");
  }

  @Test
  void concurrentRefreshesOfOneAccountShareOneOidcCall(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials c = gw.addAccount();
    String id = gw.account(c.clientId()).getString("id");
    gw.emulator.oidc().setRefreshDelayMs(300);

    List<TestGateway.Response> responses = gw.postConcurrently("/v2/accounts/" + id + "/refresh", new JsonObject(), 8);

    assertThat(responses).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(gw.emulator.oidc().refreshCountForClient(c.clientId())).isEqualTo(1);
  }
}
