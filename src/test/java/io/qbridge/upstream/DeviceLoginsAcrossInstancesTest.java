package io.qbridge.upstream;

import static io.qbridge.testsupport.OnContext.await;
import static io.qbridge.testsupport.OnContext.on;
import static io.qbridge.testsupport.OnContext.onLater;
import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.config.AppConfig;
import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device logins of two instances sharing one session store (the in-memory stand-in of the shared
 * database; {@link DeviceLoginStoreContract} proves the database ones behave alike): start on A,
 * status and claim on B; A shut down or dead mid-login, B takes the login over. One account per
 * login in every case. Each instance runs on its own context with the real OIDC client against the
 * emulator; time is a {@link ManualTimekeeper} (a dead instance gets a clock that never moves, so
 * its timers never fire).
 */
@ExtendWith(VertxExtension.class)
class DeviceLoginsAcrossInstancesTest {

  @TempDir Path dir;
  Vertx vertx;
  AmazonQEmulator emu;
  AppConfig config;
  UpstreamTemplate template;
  final Instant start = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  final ManualTimekeeper time = new ManualTimekeeper(start);
  final DeviceLoginStore store = new InMemoryDeviceLoginStore();
  final List<JsonObject> created = new CopyOnWriteArrayList<>();
  final List<Runnable> cleanups = new CopyOnWriteArrayList<>();

  /** One instance: its context and its device logins. */
  record Instance(Context ctx, DeviceLogins logins) {}

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    emu = AmazonQEmulator.start(vertx).await();
    emu.oidc().setDeviceIntervalSeconds(0);
    config = TestGateway.config(vertx, emu, dir, Map.of());
    template = UpstreamTemplate.load(config.upstream().templatesDir());
  }

  @AfterEach
  void tearDown() {
    cleanups.forEach(Runnable::run);
    emu.close().await();
  }

  private Instance instance(String owner, ManualTimekeeper clock) {
    Context ctx = vertx.getOrCreateContext();
    HttpClientAgent[] http = new HttpClientAgent[1];
    DeviceLogins logins = on(ctx, () -> {
      http[0] = OutboundHttp.create(vertx, config.upstream(), 4);
      return Future.succeededFuture(new DeviceLogins(clock, new OidcClient(http[0], config.upstream(), template),
          this::create, DeviceLoginsTest.FAST, store, owner));
    });
    cleanups.add(() -> on(ctx, () -> logins.close().compose(v -> http[0].close())));
    return new Instance(ctx, logins);
  }

  private Future<JsonObject> create(JsonObject body) {
    created.add(body);
    return Future.succeededFuture(new JsonObject().put("id", "acc-" + created.size()).put("label", body.getString("label")));
  }

  @Test
  void startedOnAReadAndClaimedOnBOneAccount() {
    Instance a = instance("A", time);
    Instance b = instance("B", time);
    JsonObject started = on(a.ctx(), () -> a.logins().start(new JsonObject().put("label", "shared")));
    String authId = started.getString("authId");

    assertThat(on(b.ctx(), () -> b.logins().status(authId)).getString("status")).isEqualTo("pending");
    Future<JsonObject> claimOnB = onLater(b.ctx(), () -> b.logins().claim(authId));
    Future<JsonObject> claimOnA = onLater(a.ctx(), () -> a.logins().claim(authId));
    awaitTrue(() -> time.pendingOneShotTimers() == 3, "A's poll, A's claim timeout, B's read of the row");
    emu.oidc().approve(started.getString("userCode"));

    time.advance(DeviceLoginsTest.FAST.minIntervalMs()); // A polls and gets the tokens; B reads the row once
    JsonObject onA = await(claimOnA);
    awaitTrue(() -> claimOnB.isComplete() || time.pendingOneShotTimers() == 1, "B waits for its next read");
    time.advance(DeviceLoginsTest.FAST.claimPollMs());
    JsonObject onB = await(claimOnB);

    assertThat(onA.getString("status")).isEqualTo("completed");
    assertThat(onB.getString("status")).isEqualTo("completed");
    assertThat(onB.getJsonObject("account")).isEqualTo(onA.getJsonObject("account"));
    assertThat(onB.getString("accountId")).isEqualTo("acc-1");
    assertThat(created).hasSize(1);
    assertThat(on(b.ctx(), () -> b.logins().status(authId)).getString("accountId")).isEqualTo("acc-1");
  }

  @Test
  void aClaimOnBTimesOutAsPendingWhileTheLoginGoesOn() {
    Instance a = instance("A", time);
    Instance b = instance("B", time);
    String authId = on(a.ctx(), () -> a.logins().start(new JsonObject())).getString("authId");
    Future<JsonObject> claim = onLater(b.ctx(), () -> b.logins().claim(authId));
    for (int i = 0; i < 100 && !claim.isComplete(); i++) {
      awaitTrue(() -> claim.isComplete() || time.pendingOneShotTimers() == 2, "A polls, B reads");
      time.advance(DeviceLoginsTest.FAST.claimPollMs());
    }
    JsonObject reply = await(claim);
    assertThat(reply.getString("status")).isEqualTo("pending");
    assertThat(time.monotonicMillis()).isGreaterThanOrEqualTo(DeviceLoginsTest.FAST.claimTimeoutMs());
    assertThat(on(b.ctx(), () -> b.logins().status(authId)).getString("status")).isEqualTo("pending");
  }

  @Test
  void aDeadInstancesLoginIsTakenOverAfterItsPollLeaseAndCompletesOnce() {
    ManualTimekeeper frozen = new ManualTimekeeper(start); // A's clock never moves again: A is dead
    Instance a = instance("A", frozen);
    Instance b = instance("B", time);
    JsonObject started = on(a.ctx(), () -> a.logins().start(new JsonObject()));
    String authId = started.getString("authId");
    emu.oidc().approve(started.getString("userCode"));

    time.advance(DeviceLogins.POLL_LEASE_MS - 1);
    assertThat(on(b.ctx(), () -> Future.succeededFuture(b.logins().size()))).as("A's lease still runs").isZero();
    time.advance(DeviceLoginsTest.FAST.sweepIntervalMs()); // B's sweep adopts it
    awaitTrue(() -> on(b.ctx(), () -> Future.succeededFuture(b.logins().size())) == 1, "B adopted the login");
    Future<JsonObject> claimOnB = onLater(b.ctx(), () -> b.logins().claim(authId));
    for (int i = 0; i < 20 && !claimOnB.isComplete(); i++) {
      time.advance(DeviceLoginsTest.FAST.minIntervalMs()); // B's poll
      awaitTrue(() -> claimOnB.isComplete() || time.pendingOneShotTimers() == 2, "B's next poll, its claim's timeout");
    }
    JsonObject reply = await(claimOnB);

    assertThat(reply.getString("status")).isEqualTo("completed");
    assertThat(created).hasSize(1);
  }

  @Test
  void anInstanceShuttingDownHandsItsLoginsOverAtOnce() {
    Instance a = instance("A", time);
    Instance b = instance("B", time);
    JsonObject started = on(a.ctx(), () -> a.logins().start(new JsonObject()));
    String authId = started.getString("authId");
    on(a.ctx(), () -> a.logins().close());
    emu.oidc().approve(started.getString("userCode"));

    time.advance(DeviceLoginsTest.FAST.sweepIntervalMs()); // well within the poll lease
    awaitTrue(() -> on(b.ctx(), () -> Future.succeededFuture(b.logins().size())) == 1, "B adopted the login");
    for (int i = 0; i < 20 && "pending".equals(statusOn(b, authId)); i++) {
      time.advance(DeviceLoginsTest.FAST.minIntervalMs()); // B's poll
      awaitTrue(() -> !"pending".equals(statusOn(b, authId)) || time.pendingOneShotTimers() == 1, "B's next poll");
    }
    JsonObject reply = on(b.ctx(), () -> b.logins().status(authId));
    assertThat(reply.getString("status")).isEqualTo("completed");
    assertThat(created).hasSize(1);
  }

  // ---- helpers ----

  private static String statusOn(Instance instance, String authId) {
    return on(instance.ctx(), () -> instance.logins().status(authId)).getString("status");
  }




  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
      Thread.onSpinWait();
    }
  }
}
