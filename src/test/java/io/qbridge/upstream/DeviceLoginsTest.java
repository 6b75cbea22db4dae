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
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
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
 * verticle would, against the OIDC emulator answering with interval 0. Time is a
 * {@link ManualTimekeeper}: each step moves it exactly to the next timer, so intervals are checked
 * exactly and a 10-minute login takes milliseconds.
 */
@ExtendWith(VertxExtension.class)
class DeviceLoginsTest {

  static final DeviceLogins.Settings FAST = new DeviceLogins.Settings(100, 300, 2, 50, 5_000, 300, 50, 2, 100);

  @TempDir Path dir;
  Vertx vertx;
  AmazonQEmulator emu;
  Context ctx;
  HttpClientAgent http;
  DeviceLogins logins;
  final ManualTimekeeper time = new ManualTimekeeper();
  final List<JsonObject> created = new CopyOnWriteArrayList<>();
  volatile boolean failCreate;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    emu = AmazonQEmulator.start(vertx).await();
    emu.oidc().setDeviceIntervalSeconds(0);
    AppConfig config = TestGateway.config(vertx, emu, dir, Map.of());
    UpstreamTemplate template = UpstreamTemplate.load(config.upstream().templatesDir());
    ctx = vertx.getOrCreateContext();
    logins = on(() -> {
      http = OutboundHttp.create(vertx, config.upstream(), 4);
      return Future.succeededFuture(new DeviceLogins(time, new OidcClient(http, config.upstream(), template), this::create, FAST,
          new InMemoryDeviceLoginStore(), "instance-a"));
    });
  }

  @AfterEach
  void tearDown() {
    on(() -> logins.close().compose(v -> http.close()));
    emu.close().await();
  }

  private Future<JsonObject> create(JsonObject body) {
    if (failCreate) return Future.failedFuture(new IllegalStateException("store down"));
    created.add(body);
    return Future.succeededFuture(new JsonObject().put("id", "acc-" + created.size()).put("label", body.getString("label")));
  }

  /** Runs {@code op} on the logins' context and waits (10 s) for its result. */
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

  private String statusOf(String authId) {
    return on(() -> logins.status(authId)).getString("status");
  }

  /**
   * Moves time to the next timer (a poll, a retry, the deadline) and waits until what it started
   * is over: the poll answered and the next timer set, or the login settled. Returns the step in ms.
   */
  private long step(String authId) {
    long delay = time.nextTimerInMs();
    assertThat(delay).as("a timer is waiting").isGreaterThanOrEqualTo(0);
    time.advance(delay);
    awaitTrue(() -> !"pending".equals(statusOf(authId)) || time.pendingOneShotTimers() > 0);
    return delay;
  }

  /** Steps until the login settles; its claim answer (immediate then). */
  private JsonObject runToEnd(String authId) {
    for (int i = 0; i < 20 && "pending".equals(statusOf(authId)); i++) step(authId);
    return claim(authId);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not met within 10 s");
      Thread.onSpinWait();
    }
  }

  private List<RecordedRequest> polls() {
    return emu.oidcRequests().stream()
        .filter(r -> r.body() != null && OidcEmulator.DEVICE_GRANT.equals(r.body().getString("grantType")))
        .toList();
  }

  @Test
  void eachSlowDownAddsTheStepAgainAndNoPollComesEarly() {
    emu.oidc().setSlowDownPolls(2);
    emu.oidc().setPendingPollsBeforeApproval(0);
    String authId = start().getString("authId");

    assertThat(step(authId)).isEqualTo(100); // slow_down
    assertThat(time.nextTimerInMs()).isEqualTo(400); // 100 + 300
    time.advance(399);
    assertThat(polls()).as("nothing before the interval").hasSize(1);
    assertThat(step(authId)).isEqualTo(1); // slow_down again
    assertThat(step(authId)).isEqualTo(700); // 100 + 600: the tokens
    JsonObject done = claim(authId);

    assertThat(done.getString("status")).isEqualTo("completed");
    assertThat(polls()).hasSize(3);
    assertThat(created).hasSize(1);
  }

  @Test
  void transientFailuresAreRetriedWithGrowingBackoff() {
    emu.oidc().enqueueTokenFailure(500, "internal_server_error", "boom", "InternalServerException");
    emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    emu.oidc().setPendingPollsBeforeApproval(0);
    String authId = start().getString("authId");

    assertThat(List.of(step(authId), step(authId), step(authId))).containsExactly(100L, 150L, 200L); // interval + 50, + 100
    assertThat(claim(authId).getString("status")).isEqualTo("completed");
    assertThat(polls()).hasSize(3);
  }

  @Test
  void tooManyTransientFailuresInARowFailWithTheLastCode() {
    for (int i = 0; i < 3; i++) emu.oidc().enqueueTokenFailure(503, "service_unavailable", "later", "ServiceUnavailableException");
    JsonObject done = runToEnd(start().getString("authId"));

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
    assertThat(runToEnd(start().getString("authId")).getString("status")).isEqualTo("completed");
  }

  @Test
  void transportErrorsFailAfterTheRetries() {
    String authId = start().getString("authId");
    emu.close().await();

    JsonObject done = runToEnd(authId);
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("transport_error");
  }

  @Test
  void theDeviceCodeDeadlineEndsTheLoginWithoutAnotherPoll() {
    emu.oidc().setDeviceCodeTtlSeconds(1);
    emu.oidc().setDeviceIntervalSeconds(5); // the first poll would come after the deadline
    String authId = start().getString("authId");

    assertThat(step(authId)).isEqualTo(1000);
    JsonObject done = claim(authId);
    assertThat(done.getString("status")).isEqualTo("expired");
    assertThat(done.getString("error")).isEqualTo("expired_token");
    assertThat(polls()).isEmpty();
  }

  @Test
  void anAccountThatCannotBeStoredFailsTheLogin() {
    failCreate = true;
    emu.oidc().setPendingPollsBeforeApproval(0);
    JsonObject done = runToEnd(start().getString("authId"));
    assertThat(done.getString("status")).isEqualTo("failed");
    assertThat(done.getString("error")).isEqualTo("account_create_failed");
  }

  @Test
  void theAccountIsCreatedFromTheTokensWithFreshBookkeeping() {
    emu.oidc().setPendingPollsBeforeApproval(1);
    JsonObject done = runToEnd(start().getString("authId"));

    assertThat(done.getString("accountId")).isEqualTo("acc-1");
    assertThat(done.getJsonObject("account").getString("id")).isEqualTo("acc-1");
    JsonObject body = created.get(0);
    String clientId = body.getString("clientId");
    assertThat(body.getString("accessToken")).isEqualTo(emu.oidc().latestAccessToken(clientId));
    assertThat(body.getString("refreshToken")).isEqualTo(emu.oidc().latestRefreshToken(clientId));
    assertThat(body.getString("clientSecret")).isNotBlank();
    assertThat(body.getString("last_refresh_status")).isEqualTo("success");
    assertThat(java.time.Instant.parse(body.getString("expires_at"))).isEqualTo(time.now().plusSeconds(3600));
    assertThat(body.getBoolean("enabled")).isTrue();
  }

  @Test
  void theSweepDropsFinishedSessionsButNotPendingOnes() {
    emu.oidc().setPendingPollsBeforeApproval(0);
    String finished = start().getString("authId");
    assertThat(runToEnd(finished).getString("status")).isEqualTo("completed");
    emu.oidc().setPendingPollsBeforeApproval(-1);
    String pending = start().getString("authId");

    time.advance(FAST.retentionMs() - 1);
    assertThat(on(() -> Future.succeededFuture(logins.size()))).as("kept until the retention ends").isEqualTo(2);
    time.advance(FAST.sweepIntervalMs() + 1);
    assertThat(on(() -> Future.succeededFuture(logins.size()))).isEqualTo(1);
    Throwable gone = catchThrowable(() -> statusOf(finished));
    assertThat(((BusError) gone).failure()).isEqualTo(BusFailure.NOT_FOUND);
    assertThat(statusOf(pending)).isEqualTo("pending");
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
  void closeStopsPollingAndFailsWaitingClaims() {
    String authId = start().getString("authId");
    Promise<JsonObject> waiting = Promise.promise();
    on(() -> {
      logins.claim(authId).onComplete(waiting);
      return Future.succeededFuture();
    });
    on(() -> logins.close());
    Throwable failed = catchThrowable(() -> waiting.future().await(5, TimeUnit.SECONDS));
    assertThat(((BusError) failed).failure()).isEqualTo(BusFailure.INTERNAL);
    assertThat(time.pendingTimers()).as("no poll, sweep or claim timer left").isZero();
    time.advance(10_000);
    assertThat(polls()).isEmpty();
  }
}
