package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pool's cross-instance tables, one suite for every engine ({@link SqliteCoordinationStoreTest},
 * {@link PostgresCoordinationStoreTest}): refresh locks and the lease ledger. "Two instances" are
 * two pools on one fresh database, as two qbridge processes would have; races are real concurrent
 * statements from both.
 */
@ExtendWith(VertxExtension.class)
abstract class CoordinationStoreContract {

  static final long T0 = 1_800_000_000_000L;

  /** DATABASE_URL of this test's fresh database. */
  abstract String databaseUrl();

  Database dbA;
  Database dbB;

  @BeforeEach
  void openTwoInstances(Vertx vertx) {
    dbA = Database.open(vertx, databaseUrl(), 1).await();
    dbB = Database.open(vertx, databaseUrl(), 1).await();
  }

  @AfterEach
  void close() {
    dbA.close().await();
    dbB.close().await();
  }

  private long liveLeaseRows() {
    return ((Number) dbA.pool().query("SELECT COUNT(*) AS n FROM account_leases").execute().await()
        .iterator().next().getValue("n")).longValue();
  }

  // ---- refresh locks ----

  @Test
  void aRefreshLockIsExclusiveUntilReleasedOrRunOut() {
    RefreshLocks a = SqlRefreshLocks.open(dbA).await();
    RefreshLocks b = SqlRefreshLocks.open(dbB).await();

    assertThat(a.tryAcquire("acc", "A", T0, T0 + 30_000).await()).isTrue();
    assertThat(b.tryAcquire("acc", "B", T0 + 1, T0 + 30_001).await()).isFalse();
    assertThat(a.tryAcquire("acc", "A", T0 + 2, T0 + 30_002).await()).as("not re-entrant").isFalse();
    assertThat(b.tryAcquire("other", "B", T0 + 3, T0 + 30_003).await()).as("per account").isTrue();
    b.release("acc", "B").await(); // not B's: a no-op
    assertThat(b.tryAcquire("acc", "B", T0 + 4, T0 + 30_004).await()).isFalse();

    a.release("acc", "A").await();
    assertThat(b.tryAcquire("acc", "B", T0 + 5, T0 + 30_005).await()).isTrue();
    assertThat(a.tryAcquire("acc", "A", T0 + 30_004, T0 + 60_000).await()).as("B's lock still runs").isFalse();
    assertThat(a.tryAcquire("acc", "A", T0 + 30_005, T0 + 60_005).await()).as("B's lock ran out").isTrue();
  }

  @Test
  void ofManyInstancesRacingForARefreshLockExactlyOneWins() {
    RefreshLocks a = SqlRefreshLocks.open(dbA).await();
    RefreshLocks b = SqlRefreshLocks.open(dbB).await();
    List<Future<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      attempts.add(a.tryAcquire("acc", "A" + i, T0, T0 + 30_000));
      attempts.add(b.tryAcquire("acc", "B" + i, T0, T0 + 30_000));
    }
    long won = Future.all(attempts).await().<Boolean>list().stream().filter(Boolean::booleanValue).count();
    assertThat(won).isEqualTo(1);
  }

  // ---- lease ledger ----

  @Test
  void theCapCountsLiveLeasesOfEveryInstanceUnderConcurrentAcquires() {
    LeaseLedger a = SqlLeaseLedger.open(dbA, "A", 3).await();
    LeaseLedger b = SqlLeaseLedger.open(dbB, "B", 3).await();
    List<Future<Boolean>> attempts = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      String id = UUID.randomUUID().toString();
      ids.add(id);
      attempts.add((i % 2 == 0 ? a : b).tryAcquire(id, "acc", T0));
    }
    List<Boolean> granted = Future.all(attempts).await().list();
    assertThat(granted.stream().filter(Boolean::booleanValue).count()).isEqualTo(3);
    assertThat(liveLeaseRows()).isEqualTo(3);
    assertThat(b.tryAcquire("x", "other-account", T0).await()).as("per account").isTrue();

    String held = ids.get(granted.indexOf(true));
    (granted.indexOf(true) % 2 == 0 ? a : b).release(held).await();
    assertThat(b.tryAcquire("y", "acc", T0 + 1).await()).as("a released slot is free again").isTrue();
    assertThat(a.tryAcquire("z", "acc", T0 + 2).await()).isFalse();
  }

  @Test
  void aDeadInstancesLeasesStopCountingAfterTheStaleBoundAndAreDeleted() {
    LeaseLedger a = SqlLeaseLedger.open(dbA, "A", 1).await();
    LeaseLedger b = SqlLeaseLedger.open(dbB, "B", 1).await();
    assertThat(a.tryAcquire("a1", "acc", T0).await()).isTrue();
    // A dies: no heartbeat any more
    assertThat(b.tryAcquire("b1", "acc", T0 + LeaseLedger.STALE_MS - 1).await()).isFalse();
    assertThat(b.tryAcquire("b2", "acc", T0 + LeaseLedger.STALE_MS).await()).isTrue();

    b.heartbeat(T0 + LeaseLedger.STALE_MS + 1).await();
    assertThat(liveLeaseRows()).as("B's lease only; A's stale row deleted").isEqualTo(1);
  }

  @Test
  void aHeartbeatKeepsAnInstancesLeasesAlive() {
    LeaseLedger a = SqlLeaseLedger.open(dbA, "A", 1).await();
    LeaseLedger b = SqlLeaseLedger.open(dbB, "B", 1).await();
    assertThat(a.tryAcquire("a1", "acc", T0).await()).isTrue();
    a.heartbeat(T0 + LeaseLedger.HEARTBEAT_MS).await();
    a.heartbeat(T0 + 2 * LeaseLedger.HEARTBEAT_MS).await();
    assertThat(b.tryAcquire("b1", "acc", T0 + LeaseLedger.STALE_MS + LeaseLedger.HEARTBEAT_MS).await()).isFalse();
    b.heartbeat(T0 + LeaseLedger.STALE_MS + LeaseLedger.HEARTBEAT_MS).await();
    assertThat(liveLeaseRows()).as("a live lease is not deleted").isEqualTo(1);
  }

  @Test
  void releaseAllFreesOneInstancesLeasesOnly() {
    LeaseLedger a = SqlLeaseLedger.open(dbA, "A", 2).await();
    LeaseLedger b = SqlLeaseLedger.open(dbB, "B", 2).await();
    assertThat(a.tryAcquire("a1", "acc", T0).await()).isTrue();
    assertThat(b.tryAcquire("b1", "acc", T0).await()).isTrue();
    assertThat(b.tryAcquire("b2", "acc", T0).await()).isFalse();
    a.releaseAll().await();
    assertThat(liveLeaseRows()).isEqualTo(1);
    assertThat(b.tryAcquire("b2", "acc", T0).await()).isTrue();
  }

  @Test
  void bothInstancesMigratingAtOnceCreateTheTablesOnce(Vertx vertx) {
    Future<LeaseLedger> a = SqlLeaseLedger.open(dbA, "A", 1);
    Future<LeaseLedger> b = SqlLeaseLedger.open(dbB, "B", 1);
    Future<RefreshLocks> c = SqlRefreshLocks.open(dbA);
    Future<RefreshLocks> d = SqlRefreshLocks.open(dbB);
    Future.all(a, b, c, d).await();
    assertThat(a.result().tryAcquire("a1", "acc", T0).await()).isTrue();
  }
}
