package io.qbridge.api.responses.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ResponseStore} over JDBC with one table, in the account database. The SQL is plain
 * (VARCHAR/BIGINT/TEXT, {@code ?} placeholders) so PostgreSQL can use it unchanged. One
 * connection: statements run in submission order (see {@link ResponseStore}), and SQLite has a
 * single writer anyway; {@code busy_timeout} lets it wait for the account store's connection.
 */
public final class JdbcResponseStore implements ResponseStore {

  static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS stored_responses (id VARCHAR(80) PRIMARY KEY,"
      + " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, size_bytes BIGINT NOT NULL,"
      + " response TEXT NOT NULL, items TEXT NOT NULL)";
  static final String CREATE_INDEX = "CREATE INDEX IF NOT EXISTS stored_responses_created ON stored_responses (created_at)";

  private final Pool pool;

  private JdbcResponseStore(Pool pool) {
    this.pool = pool;
  }

  /** Opens the pool and creates the table; call from the verticle that will use the store. */
  public static Future<ResponseStore> open(Vertx vertx, String jdbcUrl) {
    String url = jdbcUrl.toLowerCase().startsWith("jdbc:sqlite:") && !jdbcUrl.contains("busy_timeout")
        ? jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "busy_timeout=5000" : jdbcUrl;
    Pool pool = JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(url), new PoolOptions().setMaxSize(1));
    JdbcResponseStore store = new JdbcResponseStore(pool);
    return pool.query(CREATE_TABLE).execute()
        .compose(r -> pool.query(CREATE_INDEX).execute())
        .<ResponseStore>map(r -> store)
        .recover(t -> pool.close().transform(v -> Future.failedFuture(t)));
  }

  @Override public Future<Void> put(StoredResponse r) {
    return pool.preparedQuery("INSERT INTO stored_responses (id, created_at, expires_at, size_bytes, response, items) VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(r.id(), r.createdAtMillis(), r.expiresAtMillis(), r.size(), r.response(), r.items())).mapEmpty();
  }

  @Override public Future<StoredResponse> get(String id) {
    return pool.preparedQuery("SELECT id, created_at, expires_at, response, items FROM stored_responses WHERE id = ?")
        .execute(Tuple.of(id)).map(rows -> {
          if (rows.size() == 0) return null;
          Row row = rows.iterator().next();
          return new StoredResponse(row.getString(0), row.getLong(1), row.getLong(2), row.getString(3), row.getString(4));
        });
  }

  @Override public Future<Long> delete(String id) {
    return deleteWhere("id = ?", Tuple.of(id));
  }

  @Override public Future<Long> deleteExpired(long nowMillis) {
    return deleteWhere("expires_at <= ?", Tuple.of(nowMillis));
  }

  @Override public Future<Long> deleteOldest(long needed, int maxRows) {
    return pool.preparedQuery("SELECT id, size_bytes FROM stored_responses ORDER BY created_at, id LIMIT ?").execute(Tuple.of(maxRows))
        .compose(rows -> {
          List<String> ids = new ArrayList<>();
          long bytes = 0;
          for (Row row : rows) {
            if (bytes >= needed) break;
            ids.add(row.getString(0));
            bytes += row.getLong(1);
          }
          if (ids.isEmpty()) return Future.succeededFuture(0L);
          long freed = bytes;
          List<Tuple> batch = ids.stream().map(Tuple::of).toList();
          return pool.preparedQuery("DELETE FROM stored_responses WHERE id = ?").executeBatch(batch).map(r -> freed);
        });
  }

  @Override public Future<Long> totalBytes() {
    return pool.query("SELECT COALESCE(SUM(size_bytes), 0) FROM stored_responses").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private Future<Long> deleteWhere(String condition, Tuple args) {
    return pool.preparedQuery("SELECT COALESCE(SUM(size_bytes), 0) FROM stored_responses WHERE " + condition).execute(args)
        .compose(sum -> {
          long bytes = sum.iterator().next().getLong(0);
          if (bytes == 0) return Future.succeededFuture(0L);
          return pool.preparedQuery("DELETE FROM stored_responses WHERE " + condition).execute(args).map((RowSet<Row> r) -> bytes);
        });
  }

  @Override public Future<Void> close() {
    return pool.close();
  }
}
