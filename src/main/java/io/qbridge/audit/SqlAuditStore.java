package io.qbridge.audit;

import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AuditStore} over the Sql Client API, one table in the account database (SQLite or
 * PostgreSQL, see {@link Database}), created by this component's own migrations ({@code audit} v1).
 * Plain SQL (BIGINT, VARCHAR, TEXT, {@code ?} placeholders, ids made by {@link AuditIds} rather than
 * an engine's auto-increment), so both engines run it unchanged. One connection on SQLite: entries
 * are written in the order they arrive, and {@code busy_timeout} lets it wait for the other
 * stores' connections to the same file.
 */
final class SqlAuditStore implements AuditStore {

  /** The component name in {@code qbridge_migrations}. */
  static final String COMPONENT = "audit";
  /** Released migrations are never edited: a change is a new version. */
  static final List<Migration> MIGRATIONS = List.of(
      Migration.of(1, "audit_log table", engine -> List.of(
          "CREATE TABLE audit_log (id BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, actor VARCHAR(80) NOT NULL,"
              + " address VARCHAR(80), action VARCHAR(40) NOT NULL, account_id VARCHAR(200),"
              + " outcome VARCHAR(16) NOT NULL, status INTEGER NOT NULL, changes TEXT NOT NULL)",
          "CREATE INDEX audit_log_account ON audit_log (account_id, id)",
          "CREATE INDEX audit_log_at ON audit_log (at_ms)")));

  private static final String COLUMNS = "id, at_ms, actor, address, action, account_id, outcome, status, changes";

  private final Database db;

  private SqlAuditStore(Database db) {
    this.db = db;
  }

  /**
   * Opens the database ({@code DATABASE_URL}) and applies the audit migrations; call from the
   * verticle that will use the store. Closing the store closes that database.
   */
  static Future<AuditStore> open(Vertx vertx, String databaseUrl) {
    return Database.open(vertx, databaseUrl, 1, "audit").compose(db -> db.migrate(COMPONENT, MIGRATIONS)
        .<AuditStore>map(v -> new SqlAuditStore(db))
        .recover(err -> db.close().transform(v -> Future.failedFuture(err))));
  }

  @Override
  public Future<Void> insert(AuditEntry e) {
    AuditEvent ev = e.event();
    Tuple t = Tuple.tuple().addValue(e.id()).addValue(e.atMillis()).addValue(ev.actor()).addValue(ev.address())
        .addValue(ev.action()).addValue(ev.accountId()).addValue(ev.outcome()).addValue(ev.status())
        .addValue(e.changesJson());
    return db.preparedQuery("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .execute(t).mapEmpty();
  }

  @Override
  public Future<List<AuditEntry>> page(int limit, Long beforeId, String accountId) {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM audit_log WHERE id < ?");
    Tuple t = Tuple.of(beforeId == null ? Long.MAX_VALUE : beforeId);
    if (accountId != null) {
      sql.append(" AND account_id = ?");
      t.addValue(accountId);
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    t.addValue(limit);
    return db.preparedQuery(sql.toString()).execute(t).map(rows -> {
      List<AuditEntry> out = new ArrayList<>(rows.size());
      for (Row r : rows) {
        out.add(new AuditEntry(number(r.getValue(0)), number(r.getValue(1)), AuditEntry.event(r.getString(2),
            r.getString(3), r.getString(4), r.getString(5), r.getString(6), (int) number(r.getValue(7)), r.getString(8))));
      }
      return out;
    });
  }

  @Override
  public Future<Integer> deleteBefore(long cutoffMillis) {
    return db.preparedQuery("DELETE FROM audit_log WHERE at_ms < ?").execute(Tuple.of(cutoffMillis))
        .map(r -> r.rowCount());
  }

  @Override
  public Future<Void> close() {
    return db.close();
  }

  /** SQLite hands back INTEGER as Integer or Long depending on size; PostgreSQL BIGINT as Long. */
  private static long number(Object v) {
    return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
  }
}
