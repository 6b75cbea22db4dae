package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.OidcEmulator;
import io.qbridge.emulator.RecordedRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-login state machine with shrunken timings (100 ms polling floor, 300 ms slow_down
 * step, 50 ms backoff base, 2 transient retries), driven on one Vert.x context as the upstream
 * verticle would, against the OIDC emulator answering with interval 0.
 */
@ExtendWith(VertxExtension.class)
class DeviceLoginsTest {

  static final DeviceLogins.Settings FAST = new DeviceLogins.Settings(100, 300, 2, 50, 5_000, 300, 50, 2);

  @TempDir Path dir;
  Vertx vertx;
  AmazonQEmulator emu;
  Context ctx;
  HttpClientAgent http;
  DeviceLogins logins;
  final List<JsonObject> created = new CopyOnWriteArrayList<>();
  volatile boolean failCreate;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    emu = AmazonQEmulator.start(vertx).await();
    emu.oidc().setDeviceIntervalSeconds(0);
    AppConfig config = TestGateway.config(vertx, emu, dir, Map.of());
    UpstreamTemplate template = UpstreamTemplate.load(config.templatesDir());
    ctx = vertx.getOrCreateContext();
    logins = on(() -> {
      http = OutboundHttp.create(vertx, config, 4);
      return Future.succeededFuture(new DeviceLogins(vertx, new OidcClient(http, config, template), this::create, FAST));
    });
  }

  @AfterEach
  void tearDown() {
    on(() -> {
      logins.close();
      return http.close();
    });
    emu.close().await();
  }

  private Future<JsonObject> create(JsonObject body) {
    if (failCreate) return Future.failedFuture(new IllegalStateException("store down"));
    created.add(body);
    return Future.succeededFuture(new JsonObject().put("id", "acc-" + created.size()).put("label", body.getString("label")));
  }

  /** Runs {@code op} on the logins' context and waits (5 s) for its result. */
  private <T> T on(Supplier<Future<T>> op) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        op.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    try {
      return p.future().await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 10 s");
    }
  }

  private JsonObject start() {
    return on(() -> logins.start(new JsonObject().put("label", "t")));
  }

  private JsonObject claim(String authId) {
    return on(() -> logins.claim(authId));
  }

  private List<RecordedRequest> polls() {
    return emu.oidcRequests().stream()
        .filter(r -> r.body() != null && OidcEmulator.DEVICE_GRANT.equals(r.body().getString("grantType")))
        .toList();
  }

  private static Duration gap(List<RecordedRequest> polls, int i) {
    return Duration.between(polls.get(i - 1).time(), polls.get(i).time());
  }

  @Test
  void eachSlowDownAddsTheStepAgain() {
    emu.oidc().setSlowDownPolls(2);
    emu.oidc().setPendingPollsBeforeApproval(0);
    JsonObject done = claim(start().getString("authId"));

    assertThat(done.getString("status")).isEqualTo("completed");
    List<RecordedRequest> polls = polls();
    assertThat(polls).hasSize(3);
    // lower bounds are exact (timers never fire early); upper bounds leave room for a loaded machine
    assertThat(gap(polls, 1)).isBetween(Duration.ofMillis(380), Duration.ofMillis(1000)); // 100 + 300
    assertThat(gap(polls, 2)).isBetween(Duration.ofMillis(680), Duration.ofMillis(1500)); // 100 + 600
    assertThat(created).hasSize(1);
  }

  @Test
  void transientFailuresAreRetriedWithGrowingBackoff() {
    emu.oidc().enqueueTokenFailure(500, "internal_server_error", "boom", "InternalServerException");
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().setPendingPollsBeforeApproval(0);
    JsonObject done = claim(start().getString("authId"));

    assertThat(done.getString("status")).isEqualTo("completed");
    List<RecordedRequest> polls = polls();
    assertThat(polls).hasSize(3);
    assertThat(gap(polls, 1)).isGreaterThanOrEqualTo(Duration.ofMillis(140)); // 100 + 50
    assertThat(gap(polls, 2)).isGreaterThanOrEqualTo(Duration.ofMillis(190)); // 100 + 100
  }

  @Test
  void tooManyTransientFailuresInARowFailWithTheLastCode() {
    for (int i = 0; i < 3; i++) emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    JsonObject done = claim(start().getString("authId"));

    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("service_unavailable");
    assertThat(polls()).hasSize(3);
    assertThat(created).isEmpty();
  }

  @Test
  void aPendingAnswerResetsTheTransientCount() {
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().enqueueTokenFailure(400, "authorization_pending", "pending", "AuthorizationPendingException");
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().setPendingPollsBeforeApproval(0);
    assertThat(claim(start().getString("authId")).getString("status")).isEqualTo("completed");
  }

  @Test
  void transportErrorsFailAfterTheRetries() {
    String authId = start().getString("authId");
    emu.close().await();

    JsonObject done = claim(authId);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("transport_error");
  }

  @Test
  void theDeviceCodeDeadlineEndsTheLoginWithoutAnotherPoll() {
    emu.oidc().setDeviceCodeTtlSeconds(1);
    emu.oidc().setDeviceIntervalSeconds(5); // the first poll would come after the deadline
    JsonObject done = claim(start().getString("authId"));

    assertThat(done.getString("status")).isEqualTo("expired");
    assertThat(done.getString("error")).isEqualTo("expired_token");
    assertThat(polls()).isEmpty();
  }

  @Test
  void anAccountThatCannotBeStoredFailsTheLogin() {
    failCreate = true;
    emu.oidc().setPendingPollsBeforeApproval(0);
    JsonObject done = claim(start().getString("authId"));
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("account_create_failed");
  }

  @Test
  void theAccountIsCreatedFromTheTokensWithFreshBookkeeping() {
    emu.oidc().setPendingPollsBeforeApproval(1);
    JsonObject done = claim(start().getString("authId"));

    assertThat(done.getString("accountId")).isEqualTo("acc-1");
    assertThat(done.getJsonObject("account").getString("id")).isEqualTo("acc-1");
    JsonObject body = created.get(0);
    String clientId = body.getString("clientId");
    assertThat(body.getString("accessToken")).isEqualTo(emu.oidc().latestAccessToken(clientId));
    assertThat(body.getString("refreshToken")).isEqualTo(emu.oidc().latestRefreshToken(clientId));
    assertThat(body.getString("clientSecret")).isNotBlank();
    assertThat(body.getString("last_refresh_status")).isEqualTo("success");
    assertThat(java.time.Instant.parse(body.getString("expires_at")))
        .isBetween(java.time.Instant.now().plusSeconds(3500), java.time.Instant.now().plusSeconds(3601));
    assertThat(body.getBoolean("enabled")).isTrue();
  }

  @Test
  void theSweepDropsFinishedSessionsButNotPendingOnes() throws Exception {
    emu.oidc().setPendingPollsBeforeApproval(0);
    String finished = start().getString("authId");
    assertThat(claim(finished).getString("status")).isEqualTo("completed");
    emu.oidc().setPendingPollsBeforeApproval(-1);
    String pending = start().getString("authId");

    Thread.sleep(FAST.retentionMs() + 3 * FAST.sweepIntervalMs());
    assertThat(on(() -> Future.succeededFuture(logins.size()))).isEqualTo(1);
    Throwable gone = catchThrowable(() -> on(() -> Future.succeededFuture(logins.status(finished))));
    assertThat(((BusError) gone).failure()).isEqualTo(BusFailure.NOT_FOUND);
    assertThat(on(() -> Future.succeededFuture(logins.status(pending))).getString("status")).isEqualTo("pending");
  }

  @Test
  void onlySoManyLoginsMayPollAtOnce() {
    start();
    start();
    Throwable third = catchThrowable(this::start);
    assertThat(((BusError) third).failure()).isEqualTo(BusFailure.CONFLICT);
    assertThat(emu.oidcRequests().stream().filter(r -> r.path().endsWith("/client/register")).count()).isEqualTo(2);
  }

  @Test
  void aFailingStartSaysWhatOidcAnswered() {
    emu.close().await();
    Throwable failed = catchThrowable(this::start);
    assertThat(((BusError) failed).failure()).isEqualTo(BusFailure.OIDC_FAILED);
    assertThat(failed.getMessage()).contains("transport_error");
    assertThat(on(() -> Future.succeededFuture(logins.size()))).isZero();
  }

  @Test
  void closeStopsPollingAndFailsWaitingClaims() throws Exception {
    String authId = start().getString("authId");
    Promise<JsonObject> waiting = Promise.promise();
    ctx.runOnContext(v -> logins.claim(authId).onComplete(waiting));
    Thread.sleep(250);
    on(() -> {
      logins.close();
      return Future.succeededFuture();
    });
    Throwable failed = catchThrowable(() -> waiting.future().await(5, TimeUnit.SECONDS));
    assertThat(((BusError) failed).failure()).isEqualTo(BusFailure.INTERNAL);
    int polls = polls().size();
    Thread.sleep(400);
    assertThat(polls()).hasSize(polls);
  }
}
