package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.OidcEmulator;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device login end to end: admin REST → HTTP verticle → bus → upstream verticle → OIDC emulator →
 * account pool, and the new account then serves /v1/messages. The emulator answers with a 1 s
 * polling interval; qbridge's time is a {@link ManualTimekeeper}, so each poll happens when the test
 * steps to it (intervals are checked exactly, and nothing waits for real seconds).
 */
@ExtendWith(VertxExtension.class)
class DeviceLoginEndToEndTest {

  @TempDir Path dir;
  TestGateway gw;
  final ManualTimekeeper time = new ManualTimekeeper();

  private TestGateway start(Vertx vertx, Map<String, String> env) {
    gw = TestGateway.start(vertx, dir, env, time);
    gw.emulator.oidc().setDeviceIntervalSeconds(1);
    return gw;
  }

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  // ---- helpers ----

  private JsonObject startLogin(JsonObject body) {
    TestGateway.Response r = gw.postJson("/v2/auth/start", body);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    return r.json();
  }

  private TestGateway.Response status(String authId) {
    return gw.request(HttpMethod.GET, "/v2/auth/status/" + authId, null, null);
  }

  private TestGateway.Response claim(String authId) {
    return gw.request(HttpMethod.POST, "/v2/auth/claim/" + authId, null, null);
  }

  private CompletableFuture<TestGateway.Response> claimAsync(String authId) {
    return CompletableFuture.supplyAsync(() -> claim(authId));
  }

  /**
   * Moves qbridge's time to its next one-shot timer (a poll, the device code's deadline, a claim's
   * timeout) and waits until the poll it fired was answered (next poll set) or the login settled.
   * Returns the step in ms.
   */
  private long step(String authId) throws InterruptedException {
    long delay = time.nextTimerInMs();
    assertThat(delay).as("a timer is waiting").isGreaterThanOrEqualTo(0);
    long timers = time.pendingOneShotTimers();
    time.advance(delay);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (time.pendingOneShotTimers() < timers && "pending".equals(status(authId).json().getString("status"))) {
      if (System.nanoTime() > deadline) throw new AssertionError("the step's poll was never answered");
      Thread.sleep(5);
    }
    return delay;
  }

  /** Waits (polling, 10 s at most) until {@code n} one-shot timers are set: e.g. a claim arrived. */
  private void awaitTimers(long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (time.pendingOneShotTimers() != n) {
      if (System.nanoTime() > deadline) throw new AssertionError(n + " timers never set; " + time.pendingOneShotTimers());
      Thread.sleep(5);
    }
  }

  /** Polls the status endpoint until it reports {@code expected}; returns that status body. */
  private JsonObject awaitStatus(String authId, String expected, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    JsonObject last = null;
    while (System.nanoTime() < deadline) {
      TestGateway.Response r = status(authId);
      assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      last = r.json();
      if (expected.equals(last.getString("status"))) return last;
      Thread.sleep(50);
    }
    throw new AssertionError("status never became " + expected + "; last: " + last);
  }

  private List<RecordedRequest> devicePolls() {
    return gw.emulator.oidcRequests().stream()
        .filter(r -> r.path().endsWith("/token") && r.body() != null
            && OidcEmulator.DEVICE_GRANT.equals(r.body().getString("grantType")))
        .toList();
  }

  private JsonArray accounts() {
    return new JsonArray(gw.request(HttpMethod.GET, "/v2/accounts", null, null).body());
  }

  private static void assertAdminError(TestGateway.Response r, int status, String type, String messagePart) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("message")).contains(messagePart);
  }

  // ---- happy path ----

  /**
   * With SECRETS_KEY set, a login in progress keeps its OIDC client secret and device code out of the
   * database file (the values qbridge sends when it polls are read from the emulator), and still
   * completes and is claimed.
   */
  @Test
  void withSecretsKeyAPendingLoginsSecretsNeverReachTheFile(Vertx vertx) throws Exception {
    start(vertx, Map.of("SECRETS_KEY", SecretsAtRestTest.newKey()));
    JsonObject started = startLogin(new JsonObject().put("label", "sealed"));
    String authId = started.getString("authId");
    assertThat(step(authId)).isEqualTo(1000); // one poll: authorization_pending
    JsonObject poll = devicePolls().get(0).body();
    String clientSecret = poll.getString("clientSecret");
    String deviceCode = poll.getString("deviceCode");
    assertThat(clientSecret).isNotBlank();
    assertThat(deviceCode).isNotBlank();

    StringBuilder bytes = new StringBuilder();
    for (String name : new String[] {"test.sqlite3", "test.sqlite3-wal"}) {
      Path p = dir.resolve(name);
      if (Files.exists(p)) bytes.append(new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
    }
    assertThat(bytes).contains(authId); // the row is there: the search sees it
    assertThat(bytes).doesNotContain(clientSecret).doesNotContain(deviceCode);

    gw.emulator.oidc().approve(started.getString("userCode"));
    assertThat(step(authId)).isEqualTo(1000);
    awaitStatus(authId, "completed", Duration.ofSeconds(5));
    assertThat(claim(authId).status()).isEqualTo(201);
    assertThat(devicePolls().get(1).body().getString("clientSecret")).as("the secret opened again").isEqualTo(clientSecret);
  }

  @Test
  void startPendingApproveCompletedClaimAndTheAccountServesMessages(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    JsonObject started = startLogin(new JsonObject().put("label", "builder-id"));
    assertThat(started.fieldNames()).containsExactlyInAnyOrder(
        "authId", "verificationUriComplete", "verificationUri", "userCode", "expiresIn", "interval");
    String userCode = started.getString("userCode");
    assertThat(userCode).isEqualTo(gw.emulator.oidc().latestUserCode());
    assertThat(started.getString("verificationUriComplete")).endsWith("user_code=" + userCode);
    assertThat(started.getString("verificationUri")).isEqualTo(OidcEmulator.VERIFICATION_URI);
    assertThat(started.getInteger("expiresIn")).isEqualTo(600);
    assertThat(started.getInteger("interval")).isEqualTo(1);
    String authId = started.getString("authId");

    JsonObject pending = status(authId).json();
    assertThat(pending.getString("status")).isEqualTo("pending");
    assertThat(pending.getInteger("remaining")).isEqualTo(600);
    assertThat(pending.containsKey("accountId")).isFalse();
    assertThat(pending.containsKey("error")).isFalse();

    assertThat(step(authId)).as("polls keep to the interval").isEqualTo(1000); // authorization_pending
    assertThat(status(authId).json().getString("status")).isEqualTo("pending");
    assertThat(status(authId).json().getInteger("remaining")).isEqualTo(599);
    gw.emulator.oidc().approve(userCode);
    assertThat(step(authId)).isEqualTo(1000);
    JsonObject completed = awaitStatus(authId, "completed", Duration.ofSeconds(5));
    String accountId = completed.getString("accountId");
    assertThat(accountId).isNotBlank();
    assertThat(completed.getInteger("remaining")).isZero();

    TestGateway.Response claimed = claim(authId);
    assertThat(claimed.status()).as(claimed.body().toString()).isEqualTo(201);
    assertThat(claimed.headers().get("location")).isEqualTo("/v2/accounts/" + accountId);
    JsonObject account = claimed.json();
    assertThat(account.getString("id")).isEqualTo(accountId);
    assertThat(account.getString("label")).isEqualTo("builder-id");
    assertThat(account.getBoolean("enabled")).isTrue();
    assertThat(account.getString("last_refresh_status")).isEqualTo("success");
    assertThat(account.getString("last_refresh_time")).isNotNull();
    assertThat(account.getString("expires_at")).isNotNull();
    assertThat(account.getBoolean("hasAccessToken")).isTrue();
    assertThat(account.getBoolean("hasRefreshToken")).isTrue();
    assertThat(account.getBoolean("hasClientSecret")).isTrue();
    assertThat(account.getJsonObject("other").getString("source")).isEqualTo("device_login");
    assertThat(account.containsKey("accessToken")).isFalse();
    assertThat(accounts()).hasSize(1);

    assertThat(devicePolls()).hasSize(2);

    // the account works, with the token from the login and no refresh (its expiry is known)
    gw.emulator.enqueue(Scenario.text("Hello", " from Builder ID"));
    TestGateway.Response answer = gw.postJson("/v1/messages", new JsonObject()
        .put("model", "claude-sonnet-4-5-20250929").put("max_tokens", 64)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
    assertThat(answer.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("Hello from Builder ID");
    String clientId = account.getString("clientId");
    assertThat(gw.emulator.chatRequests().get(0).token()).isEqualTo(gw.emulator.oidc().latestAccessToken(clientId));
    assertThat(gw.emulator.oidc().refreshCount()).isZero();
  }

  @Test
  void claimBeforeApprovalWaitsAndConcurrentClaimsCreateOneAccount(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    JsonObject started = startLogin(new JsonObject().put("enabled", false));
    String authId = started.getString("authId");

    CompletableFuture<TestGateway.Response> first = claimAsync(authId);
    CompletableFuture<TestGateway.Response> second = claimAsync(authId);
    awaitTimers(3); // the poll and both claims' timeouts
    step(authId); // authorization_pending: the claims keep waiting
    assertThat(first).isNotDone();
    assertThat(second).isNotDone();

    gw.emulator.oidc().approve(started.getString("userCode"));
    step(authId);
    TestGateway.Response a = first.get(10, TimeUnit.SECONDS);
    TestGateway.Response b = second.get(10, TimeUnit.SECONDS);
    TestGateway.Response again = claim(authId);

    assertThat(List.of(a.status(), b.status(), again.status())).containsOnly(201);
    String id = a.json().getString("id");
    assertThat(b.json().getString("id")).isEqualTo(id);
    assertThat(again.json().getString("id")).isEqualTo(id);
    assertThat(a.json().getBoolean("enabled")).isFalse();
    assertThat(accounts()).hasSize(1);
    assertThat(status(authId).json().getString("accountId")).isEqualTo(id);
  }

  // ---- polling errors ----

  @Test
  void slowDownAddsFiveSecondsToTheIntervalAndTheLoginGoesOn(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    gw.emulator.oidc().setSlowDownPolls(1);
    gw.emulator.oidc().setPendingPollsBeforeApproval(0);
    String authId = startLogin(new JsonObject()).getString("authId");

    assertThat(step(authId)).isEqualTo(1000); // slow_down
    assertThat(step(authId)).isEqualTo(6000); // 1 s + 5 s, not an abort: the tokens
    TestGateway.Response claimed = claim(authId);

    assertThat(claimed.status()).as(claimed.body().toString()).isEqualTo(201);
    assertThat(devicePolls()).hasSize(2);
  }

  @Test
  void expiredTokenEndsTheLoginAsExpiredAndClaimSays410(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    JsonObject started = startLogin(new JsonObject());
    String authId = started.getString("authId");
    gw.emulator.oidc().expireDeviceCode(started.getString("userCode"));

    step(authId);
    JsonObject expired = awaitStatus(authId, "expired", Duration.ofSeconds(5));
    assertThat(expired.getString("error")).isEqualTo("expired_token");
    assertThat(expired.getInteger("remaining")).isZero();
    int polls = devicePolls().size();

    assertAdminError(claim(authId), 410, "invalid_request_error", "expired");
    assertThat(time.pendingOneShotTimers()).as("no poll scheduled").isZero();
    time.advance(10_000);
    assertThat(devicePolls()).hasSize(polls); // polling stopped
    assertThat(accounts()).isEmpty();
  }

  @Test
  void accessDeniedFailsTheLoginAndClaimSays400(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    JsonObject started = startLogin(new JsonObject());
    String authId = started.getString("authId");
    CompletableFuture<TestGateway.Response> waiting = claimAsync(authId);
    awaitTimers(2); // the poll and the claim's timeout
    gw.emulator.oidc().deny(started.getString("userCode"));
    step(authId);

    assertAdminError(waiting.get(10, TimeUnit.SECONDS), 400, "invalid_request_error", "access_denied");
    JsonObject failed = status(authId).json();
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).isEqualTo("access_denied");
    assertThat(accounts()).isEmpty();
  }

  @Test
  void anotherOAuthErrorFailsWithItsCode(Vertx vertx) throws Exception {
    start(vertx, Map.of());
    gw.emulator.oidc().enqueueTokenFailure(401, "invalid_client", "Invalid client provided", "InvalidClientException");
    String authId = startLogin(new JsonObject()).getString("authId");

    step(authId);
    assertAdminError(claim(authId), 502, "api_error", "invalid_client");
    assertThat(status(authId).json().getString("error")).isEqualTo("invalid_client");
  }

  @Test
  void claimTimesOutWith408AndTheLoginContinues(Vertx vertx) throws Exception {
    start(vertx, Map.of("DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS", "1"));
    JsonObject started = startLogin(new JsonObject());
    String authId = started.getString("authId");

    CompletableFuture<TestGateway.Response> claiming = claimAsync(authId);
    awaitTimers(2); // the poll and the claim's timeout, both due in 1 s
    time.advance(999);
    assertThat(claiming).as("not before the claim timeout").isNotDone();
    time.advance(1); // the poll (still pending), then the claim's timeout
    assertAdminError(claiming.get(10, TimeUnit.SECONDS), 408, "timeout_error", "claim again");
    assertThat(status(authId).json().getString("status")).isEqualTo("pending");

    gw.emulator.oidc().approve(started.getString("userCode"));
    step(authId);
    awaitStatus(authId, "completed", Duration.ofSeconds(5));
    assertThat(claim(authId).status()).isEqualTo(201);
  }

  // ---- lifecycle and bad requests ----

  @Test
  void finishedSessionsAreCleanedUpAfterTheirRetention(Vertx vertx) throws Exception {
    start(vertx, Map.of("DEVICE_LOGIN_RETENTION_SECONDS", "1"));
    gw.emulator.oidc().setDeviceCodeTtlSeconds(2);
    JsonObject started = startLogin(new JsonObject());
    assertThat(started.getInteger("expiresIn")).isEqualTo(2);
    String authId = started.getString("authId");

    assertThat(step(authId)).isEqualTo(1000); // authorization_pending
    assertThat(step(authId)).isEqualTo(1000); // never approved: the device code runs out
    awaitStatus(authId, "expired", Duration.ofSeconds(5));
    time.advance(999);
    assertThat(status(authId).status()).as("kept for the retention").isEqualTo(200);
    time.advance(1);
    TestGateway.Response r = status(authId);
    assertAdminError(r, 404, "not_found_error", "Unknown or expired device login");
    assertAdminError(claim(authId), 404, "not_found_error", "Unknown or expired device login");
  }

  @Test
  void unknownAuthIdIs404(Vertx vertx) {
    start(vertx, Map.of());
    assertAdminError(status("no-such-login"), 404, "not_found_error", "Unknown or expired device login");
    assertAdminError(claim("no-such-login"), 404, "not_found_error", "Unknown or expired device login");
  }

  @Test
  void badStartBodiesAre400AndAnEmptyBodyIsFine(Vertx vertx) {
    start(vertx, Map.of());
    assertAdminError(gw.request(HttpMethod.POST, "/v2/auth/start", Buffer.buffer("{\"label\":"), "application/json"),
        400, "invalid_request_error", "not valid JSON");
    assertAdminError(gw.request(HttpMethod.POST, "/v2/auth/start", Buffer.buffer("[]"), "application/json"),
        400, "invalid_request_error", "JSON object");
    assertAdminError(gw.postJson("/v2/auth/start", new JsonObject().put("label", 5)), 400, "invalid_request_error", "'label'");
    assertAdminError(gw.postJson("/v2/auth/start", new JsonObject().put("enabled", "yes")), 400, "invalid_request_error", "'enabled'");
    assertAdminError(gw.postJson("/v2/auth/start", new JsonObject().put("lable", "x")), 400, "invalid_request_error", "'lable'");
    assertThat(gw.emulator.oidcRequests()).isEmpty(); // rejected before any OIDC call

    TestGateway.Response empty = gw.request(HttpMethod.POST, "/v2/auth/start", null, null);
    assertThat(empty.status()).as(empty.body().toString()).isEqualTo(200);
    assertThat(empty.json().getString("authId")).isNotBlank();
  }

  @Test
  void adminKeyGuardsTheLoginRoutes(Vertx vertx) {
    start(vertx, Map.of("ADMIN_KEY", "admin-secret"));
    assertThat(gw.postJson("/v2/auth/start", new JsonObject()).status()).isEqualTo(401);
    assertThat(status("x").status()).isEqualTo(401);
    TestGateway.Response ok = gw.postJson("/v2/auth/start", new JsonObject(), "x-admin-key", "admin-secret");
    assertThat(ok.status()).isEqualTo(200);
  }
}
