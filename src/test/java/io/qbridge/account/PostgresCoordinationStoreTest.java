package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link CoordinationStoreContract} on PostgreSQL (skipped when the server binaries are not installed). */
class PostgresCoordinationStoreTest extends CoordinationStoreContract {

  private String url;

  /** A fresh database per test (JUnit makes one instance per test method). */
  @Override
  String databaseUrl() {
    if (url == null) {
      PostgresServer server = PostgresServer.shared();
      url = server.url(server.createDatabase("coord"));
    }
    return url;
  }

  /**
   * The race READ COMMITTED allows: instance A's acquire has counted and inserted but not committed
   * when B's acquire counts. B must wait for A's commit and then see A's row, not count without it.
   */
  @Test
  void anAcquireWaitsForAConcurrentUncommittedAcquireOfTheSameAccount() throws Exception {
    LeaseLedger b = SqlLeaseLedger.open(dbB, "B", 1).await();
    SqlConnection conn = dbA.pool().getConnection().await();
    Transaction tx = conn.begin().await();
    conn.preparedQuery(dbA.sql(SqlLeaseLedger.LOCK_ACCOUNT)).execute(Tuple.of(SqlLeaseLedger.ADVISORY_CLASS, "acc")).await();
    conn.preparedQuery(dbA.sql(SqlLeaseLedger.ACQUIRE))
        .execute(Tuple.of("a1", "acc", "A", T0, "acc", T0 - LeaseLedger.STALE_MS, 1L)).await();

    Future<Boolean> contender = b.tryAcquire("b1", "acc", T0);
    assertThat(b.tryAcquire("b2", "other", T0).await(10, TimeUnit.SECONDS)).as("other accounts are not held up").isTrue();
    assertThat(contender.isComplete()).as("B waits for A's transaction").isFalse();
    tx.commit().await();
    conn.close().await();

    assertThat(contender.await(10, TimeUnit.SECONDS)).as("B saw A's committed lease").isFalse();
  }
}
