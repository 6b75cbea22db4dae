package io.qbridge.audit;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AuditStore} over JDBC, one table in the account database. Plain SQL (BIGINT, VARCHAR,
 * TEXT, {@code ?} placeholders, ids made by {@link AuditIds} rather than an auto-increment), so
 * SQLite and PostgreSQL run it unchanged. One connection: entries are written in the order they
 * arrive; on SQLite {@code busy_timeout} lets it wait for the other stores' connections.
 */
final class JdbcAuditStore implements AuditStore {

  static final List<String> SCHEMA = List.of(
      "CREATE TABLE IF NOT EXISTS audit_log (id BIGINT PRIMARY KEY, at_ms BIGINT NOT NULL, actor VARCHAR(80) NOT NULL,"
          + " address VARCHAR(80), action VARCHAR(40) NOT NULL, account_id VARCHAR(200), outcome VARCHAR(16) NOT NULL,"
          + " status INTEGER NOT NULL, changes TEXT NOT NULL)",
      "CREATE INDEX IF NOT EXISTS audit_log_account ON audit_log (account_id, id)",
      "CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (at_ms)");

  private static final String COLUMNS = "id, at_ms, actor, address, action, account_id, outcome, status, changes";

  private final Pool pool;

  private JdbcAuditStore(Pool pool) {
    this.pool = pool;
  }

  /** Opens the pool and creates the table if needed; call from the verticle that will use the store. */
  static Future<AuditStore> open(Vertx vertx, String jdbcUrl) {
    String url = jdbcUrl.toLowerCase().startsWith("jdbc:sqlite:") && !jdbcUrl.contains("busy_timeout")
        ? jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "busy_timeout=5000" : jdbcUrl;
    Pool pool = JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(url), new PoolOptions().setMaxSize(1));
    Future<Void> chain = Future.succeededFuture();
    for (String statement : SCHEMA) chain = chain.compose(v -> pool.query(statement).execute().mapEmpty());
    return chain.<AuditStore>map(v -> new JdbcAuditStore(pool))
        .recover(err -> pool.close().transform(v -> Future.failedFuture(err)));
  }

  @Override
  public Future<Void> insert(AuditEntry e) {
    AuditEvent ev = e.event();
    Tuple t = Tuple.tuple().addValue(e.id()).addValue(e.atMillis()).addValue(ev.actor()).addValue(ev.address())
        .addValue(ev.action()).addValue(ev.accountId()).addValue(ev.outcome()).addValue(ev.status())
        .addValue(e.changesJson());
    return pool.preparedQuery("INSERT INTO audit_log (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
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
    return pool.preparedQuery(sql.toString()).execute(t).map(rows -> {
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
    return pool.preparedQuery("DELETE FROM audit_log WHERE at_ms < ?").execute(Tuple.of(cutoffMillis))
        .map(r -> r.rowCount());
  }

  @Override
  public Future<Void> close() {
    return pool.close();
  }

  /** SQLite hands back INTEGER as Integer or Long depending on size; PostgreSQL BIGINT as Long. */
  private static long number(Object v) {
    return v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v));
  }
}
