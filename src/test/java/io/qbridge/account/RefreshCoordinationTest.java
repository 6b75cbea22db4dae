package io.qbridge.account;

import static io.qbridge.testsupport.OnContext.await;
import static io.qbridge.testsupport.OnContext.on;
import static io.qbridge.testsupport.OnContext.onLater;
import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.bus.TokenRefreshClient;
import io.qbridge.store.Database;
import io.qbridge.telemetry.Metrics;
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances' token refreshers on one database: exactly one OIDC refresh per expiry, the loser
 * waits for and uses the winner's token (never the old refresh token), a winner's failure is not
 * counted twice, a dead winner's lock runs out, the sweep skips what another instance refreshes.
 * The locks are the SQLite ones ({@link CoordinationStoreContract} shows PostgreSQL's behave alike).
 * Each refresher runs on its own context, as two pool verticles would; time is a
 * {@link ManualTimekeeper}, so the waiter's polls are stepped, not slept.
 */
@ExtendWith(VertxExtension.class)
class RefreshCoordinationTest {

  @TempDir Path dir;
  Vertx vertx;
  final ManualTimekeeper time = new ManualTimekeeper();
  AccountStore store;
  Database database;
  RefreshLocks locks;
  Context ctxA;
  Context ctxB;
  TokenRefresher a;
  TokenRefresher b;
  /** Refresh tokens presented to the fake OIDC refresh, in order. */
  final List<String> presented = new CopyOnWriteArrayList<>();
  /** What the next refresh call answers; completed by the test. */
  volatile Promise<JsonObject> answer;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    ctxA = vertx.getOrCreateContext();
    ctxB = vertx.getOrCreateContext();
    store = on(ctxA, () -> AccountStores.create(vertx, AccountTestSupport.sqliteUrl(dir)));
    database = on(ctxA, () -> Database.open(vertx, AccountTestSupport.sqliteUrl(dir), 1));
    locks = on(ctxA, () -> SqlRefreshLocks.open(database));
    vertx.eventBus().<JsonObject>consumer(Addresses.UPSTREAM_TOKEN_REFRESH, msg -> {
      presented.add(msg.body().getString("refreshToken"));
      answer.future().onSuccess(msg::reply).onFailure(err -> msg.fail(BusFailure.REFRESH_FAILED.code(), err.getMessage()));
    }).completion().await();
    answer = Promise.promise();
    a = refresher("instance-a");
    b = refresher("instance-b");
  }

  @AfterEach
  void tearDown() {
    on(ctxA, () -> store.close());
    on(ctxA, () -> database.close());
  }

  private TokenRefresher refresher(String owner) {
    return new TokenRefresher(store, locks, owner, new TokenRefreshClient(vertx, 3600), time,
        new TokenRefresher.Settings(100, 1500, 300), Metrics.NONE);
  }

  /** An enabled account whose access token expired a minute ago. */
  private Account expiredAccount() {
    Account fresh = AccountRequests.parseCreate(new JsonObject().put("clientId", "cid").put("clientSecret", "cs")
        .put("refreshToken", "rt-1").put("accessToken", "at-old"), "acc-1", time.now().minusSeconds(3600));
    Account expired = fresh.withTokens("at-old", "rt-1", time.now().minusSeconds(60), time.now().minusSeconds(3660));
    on(ctxA, () -> store.insert(expired));
    return expired;
  }

  @Test
  void theLoserWaitsForTheWinnersRotatedTokenAndNeverSendsTheOldRefreshToken() {
    Account account = expiredAccount();
    Future<Account> first = onLater(ctxA, () -> a.withFreshToken(account));
    awaitTrue(() -> presented.size() == 1, "instance A calls the refresh");
    Future<Account> second = onLater(ctxB, () -> b.withFreshToken(account));
    awaitTrue(() -> time.pendingOneShotTimers() == 1, "instance B waits for A");

    answer.complete(new JsonObject().put("accessToken", "at-new").put("refreshToken", "rt-2").put("expiresIn", 3600));
    Account won = await(first);
    time.advance(TokenRefresher.WAIT_POLL_MS);
    Account waited = await(second);

    assertThat(presented).containsExactly("rt-1");
    assertThat(won.accessToken()).isEqualTo("at-new");
    assertThat(waited.accessToken()).isEqualTo("at-new");
    assertThat(waited.refreshToken()).isEqualTo("rt-2");
    // a later 403 on the old token finds the new one in the row: no second call
    answer = Promise.promise();
    assertThat(await(onLater(ctxB, () -> b.replaceRejected("acc-1", "at-old"))).accessToken()).isEqualTo("at-new");
    assertThat(presented).containsExactly("rt-1");
  }

  @Test
  void aWinnersFailureIsReportedByTheLoserWithoutASecondCallOrCount() {
    Account account = expiredAccount();
    Future<Account> first = onLater(ctxA, () -> a.withFreshToken(account));
    awaitTrue(() -> presented.size() == 1, "instance A calls the refresh");
    Future<Account> second = onLater(ctxB, () -> b.withFreshToken(account));
    awaitTrue(() -> time.pendingOneShotTimers() == 1, "instance B waits for A");

    answer.fail(new IllegalStateException("OIDC down"));
    assertThat(failure(first)).isInstanceOf(BusError.class);
    time.advance(TokenRefresher.WAIT_POLL_MS);
    Throwable err = failure(second);

    assertThat(err).isInstanceOf(BusError.class);
    assertThat(((BusError) err).failure()).isEqualTo(BusFailure.REFRESH_FAILED);
    assertThat(presented).hasSize(1);
    Account row = on(ctxA, () -> store.findById("acc-1")).orElseThrow();
    assertThat(row.errorCount()).isEqualTo(1);
    assertThat(row.lastRefreshStatus()).isEqualTo(RefreshStatus.FAILED);
  }

  @Test
  void aDeadHoldersLockRunsOutAndTheWaiterRefreshesItself() {
    Account account = expiredAccount();
    long now = time.now().toEpochMilli();
    assertThat(on(ctxA, () -> locks.tryAcquire("acc-1", "dead-instance", now, now + TokenRefresher.LOCK_MS))).isTrue();
    Future<Account> waiting = onLater(ctxB, () -> b.withFreshToken(account));
    awaitTrue(() -> time.pendingOneShotTimers() == 1, "instance B waits for the dead holder");

    // just before the lock ends nothing has been sent
    time.advance(TokenRefresher.LOCK_MS - TokenRefresher.WAIT_POLL_MS);
    awaitTrue(() -> time.pendingOneShotTimers() == 1, "still waiting");
    assertThat(presented).isEmpty();
    time.advance(TokenRefresher.WAIT_POLL_MS);
    awaitTrue(() -> presented.size() == 1, "B refreshes once the lock ran out");
    answer.complete(new JsonObject().put("accessToken", "at-new").put("expiresIn", 3600));

    assertThat(await(waiting).accessToken()).isEqualTo("at-new");
    assertThat(presented).containsExactly("rt-1");
  }

  @Test
  void theSweepSkipsAnAccountAnotherInstanceIsRefreshing() {
    expiredAccount();
    long now = time.now().toEpochMilli();
    assertThat(on(ctxA, () -> locks.tryAcquire("acc-1", "instance-a", now, now + TokenRefresher.LOCK_MS))).isTrue();
    on(ctxB, () -> {
      b.sweep();
      return Future.succeededFuture();
    });
    // the sweep ends without a call and without waiting: a second sweep starts a second run at once
    awaitTrue(() -> sweepIdle(b), "the sweep finished");
    assertThat(presented).isEmpty();
    assertThat(time.pendingOneShotTimers()).isZero();
  }

  private boolean sweepIdle(TokenRefresher r) {
    return on(ctxB, () -> Future.succeededFuture(!r.sweeping())).booleanValue();
  }

  // ---- helpers ----




  private static Throwable failure(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no result within 10 s");
    } catch (Exception e) {
      return f.cause();
    }
    throw new AssertionError("expected a failure, got " + f.result());
  }

  private static void awaitTrue(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
      Thread.onSpinWait();
    }
  }
}
