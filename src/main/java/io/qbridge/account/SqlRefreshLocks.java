package io.qbridge.account;

import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.util.List;

/**
 * {@link RefreshLocks} as rows of {@code refresh_locks} in the shared database. Taking a lock is
 * one upsert whose update only happens when the held lock has run out, so of two instances racing
 * for it exactly one changes a row (PostgreSQL re-checks the condition on the row the other
 * inserted; SQLite serialises writers); the row count says who won.
 */
final class SqlRefreshLocks implements RefreshLocks {

  static final String COMPONENT = "refresh_locks";
  static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "one token refresh per account across instances",
      engine -> List.of("CREATE TABLE IF NOT EXISTS refresh_locks (account_id TEXT PRIMARY KEY, owner TEXT NOT NULL,"
          + " until_ms BIGINT NOT NULL)")));

  /** Params: account id, owner, until, now. Changes one row when taken. */
  static final String ACQUIRE = "INSERT INTO refresh_locks (account_id, owner, until_ms) VALUES (?, ?, ?)"
      + " ON CONFLICT (account_id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms"
      + " WHERE refresh_locks.until_ms <= ?";
  /** Params: account id, owner. */
  static final String RELEASE = "DELETE FROM refresh_locks WHERE account_id = ? AND owner = ?";

  private final Database db;

  private SqlRefreshLocks(Database db) {
    this.db = db;
  }

  /** Creates the table if missing (a migration), then the locks. */
  static Future<RefreshLocks> open(Database db) {
    return db.migrate(COMPONENT, MIGRATIONS).map(v -> new SqlRefreshLocks(db));
  }

  @Override
  public Future<Boolean> tryAcquire(String accountId, String owner, long nowMs, long untilMs) {
    return StoreException.guard("refresh lock", db.preparedQuery(ACQUIRE).execute(Tuple.of(accountId, owner, untilMs, nowMs))
        .map(rows -> rows.rowCount() == 1));
  }

  @Override
  public Future<Void> release(String accountId, String owner) {
    return StoreException.guard("refresh unlock", db.preparedQuery(RELEASE).execute(Tuple.of(accountId, owner)).mapEmpty());
  }
}
