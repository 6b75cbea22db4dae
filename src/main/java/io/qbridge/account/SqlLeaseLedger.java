package io.qbridge.account;

import io.qbridge.store.Database;
import io.qbridge.store.Engine;
import io.qbridge.store.Migration;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeaseLedger} as rows of {@code account_leases} in the shared database.
 *
 * <p>A lease is granted by one conditional insert: the row goes in only if the account's live rows
 * (heartbeat newer than {@link #STALE_MS}) are fewer than the cap. SQLite runs the statement under
 * its single writer lock, so the count and the insert are atomic. On PostgreSQL two such inserts
 * could count at once, so the statement runs in a transaction after a transaction-scoped advisory
 * lock on the account ({@code pg_advisory_xact_lock}): inserts for one account are serialised,
 * other accounts are not touched.
 *
 * <p>Cost per request when a cap is set: SQLite, one insert and one delete (on the pool's one
 * connection); PostgreSQL, the lock transaction (BEGIN, lock, insert, COMMIT: four round trips on
 * one connection) and one delete. Per instance every {@link #HEARTBEAT_MS}: one update of its rows
 * and one delete of stale ones.
 */
final class SqlLeaseLedger implements LeaseLedger {
  private static final Logger LOG = LoggerFactory.getLogger(SqlLeaseLedger.class);

  static final String COMPONENT = "account_leases";
  static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "account leases of every instance (ACCOUNT_MAX_CONCURRENCY)",
      engine -> List.of(
          "CREATE TABLE IF NOT EXISTS account_leases (lease_id TEXT PRIMARY KEY, account_id TEXT NOT NULL,"
              + " owner TEXT NOT NULL, heartbeat_ms BIGINT NOT NULL)",
          "CREATE INDEX IF NOT EXISTS account_leases_account ON account_leases (account_id, heartbeat_ms)",
          "CREATE INDEX IF NOT EXISTS account_leases_owner ON account_leases (owner)")));

  /** First key of the advisory lock (the second is the account id's hash): "qbLS". */
  static final int ADVISORY_CLASS = 0x71624c53;
  /** PostgreSQL only. Params: class, account id. */
  static final String LOCK_ACCOUNT = "SELECT pg_advisory_xact_lock(?, hashtext(?))";
  /** Params: lease id, account id, owner, heartbeat (now), account id, stale-before, cap. Inserts one row when granted. */
  static final String ACQUIRE = "INSERT INTO account_leases (lease_id, account_id, owner, heartbeat_ms)"
      + " SELECT CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS BIGINT)"
      + " WHERE (SELECT COUNT(*) FROM account_leases WHERE account_id = ? AND heartbeat_ms > ?) < ?";
  /** Params: lease id. */
  static final String RELEASE = "DELETE FROM account_leases WHERE lease_id = ?";
  /** Params: now, owner. */
  static final String RENEW = "UPDATE account_leases SET heartbeat_ms = ? WHERE owner = ?";
  /** Params: stale-before. */
  static final String DELETE_STALE = "DELETE FROM account_leases WHERE heartbeat_ms <= ?";
  /** Params: owner. */
  static final String RELEASE_ALL = "DELETE FROM account_leases WHERE owner = ?";

  private final Database db;
  private final String owner;
  private final long maxConcurrency;
  /** Releases that failed (the database was away): retried by the next heartbeat, so they do not stay renewed. */
  private final Set<String> unreleased = new LinkedHashSet<>();

  private SqlLeaseLedger(Database db, String owner, int maxConcurrency) {
    this.db = db;
    this.owner = owner;
    this.maxConcurrency = maxConcurrency;
  }

  /** Creates the table if missing (a migration), then the ledger of {@code owner} with ACCOUNT_MAX_CONCURRENCY {@code maxConcurrency}. */
  static Future<LeaseLedger> open(Database db, String owner, int maxConcurrency) {
    return db.migrate(COMPONENT, MIGRATIONS).map(v -> new SqlLeaseLedger(db, owner, maxConcurrency));
  }

  @Override
  public Future<Boolean> tryAcquire(String leaseId, String accountId, long nowMs) {
    Tuple insert = Tuple.of(leaseId, accountId, owner, nowMs, accountId, nowMs - STALE_MS, maxConcurrency);
    Future<Integer> inserted = db.engine() == Engine.POSTGRES
        ? db.pool().withTransaction(conn -> conn.preparedQuery(db.sql(LOCK_ACCOUNT)).execute(Tuple.of(ADVISORY_CLASS, accountId))
            .compose(locked -> conn.preparedQuery(db.sql(ACQUIRE)).execute(insert)).map(rows -> rows.rowCount()))
        : db.preparedQuery(ACQUIRE).execute(insert).map(rows -> rows.rowCount());
    return StoreException.guard("lease ledger acquire", inserted.map(n -> n == 1));
  }

  @Override
  public Future<Void> release(String leaseId) {
    return StoreException.guard("lease ledger release", db.preparedQuery(RELEASE).execute(Tuple.of(leaseId)).<Void>mapEmpty())
        .onFailure(err -> unreleased.add(leaseId));
  }

  @Override
  public Future<Void> heartbeat(long nowMs) {
    List<String> retry = new ArrayList<>(unreleased);
    unreleased.clear();
    Future<Void> chain = Future.succeededFuture();
    for (String leaseId : retry) chain = chain.compose(v -> release(leaseId));
    return StoreException.guard("lease ledger heartbeat", chain
        .compose(v -> db.preparedQuery(RENEW).execute(Tuple.of(nowMs, owner)))
        .compose(v -> db.preparedQuery(DELETE_STALE).execute(Tuple.of(nowMs - STALE_MS)))
        .onSuccess(deleted -> {
          if (deleted.rowCount() > 0) LOG.warn("lease ledger: dropped {} leases of instances that stopped answering", deleted.rowCount());
        })
        .mapEmpty());
  }

  @Override
  public Future<Void> releaseAll() {
    return StoreException.guard("lease ledger release all", db.preparedQuery(RELEASE_ALL).execute(Tuple.of(owner)).mapEmpty());
  }
}
