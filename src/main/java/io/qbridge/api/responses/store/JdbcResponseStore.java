package io.qbridge.api.responses.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link ResponseStore} over the Sql Client API with one table, in the account database (SQLite or
 * PostgreSQL, see {@link Database}). The SQL is plain (VARCHAR/BIGINT/TEXT, {@code ?} placeholders)
 * so both engines run it unchanged. One connection on SQLite: statements run in submission order
 * (see {@link ResponseStore}), and SQLite has a single writer anyway; {@code busy_timeout} lets it
 * wait for the account store's connection.
 */
public final class JdbcResponseStore implements ResponseStore {

  static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS stored_responses (id VARCHAR(80) PRIMARY KEY,"
      + " created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, size_bytes BIGINT NOT NULL,"
      + " response TEXT NOT NULL, items TEXT NOT NULL)";
  static final String CREATE_INDEX = "CREATE INDEX IF NOT EXISTS stored_responses_created ON stored_responses (created_at)";

  private final Database db;

  private JdbcResponseStore(Database db) {
    this.db = db;
  }

  /** Opens the database and applies this store's migrations; call from the verticle that will use the store. */
  public static Future<ResponseStore> open(Vertx vertx, String databaseUrl) {
    return Database.open(vertx, databaseUrl, 1, "responses").compose(db -> db.migrate("responses",
            List.of(Migration.of(1, "stored_responses table", engine -> List.of(CREATE_TABLE, CREATE_INDEX))))
        .<ResponseStore>map(v -> new JdbcResponseStore(db))
        .recover(t -> db.close().transform(v -> Future.failedFuture(t))));
  }

  @Override public Future<Void> put(StoredResponse r) {
    return db.preparedQuery("INSERT INTO stored_responses (id, created_at, expires_at, size_bytes, response, items) VALUES (?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(r.id(), r.createdAtMillis(), r.expiresAtMillis(), r.size(), r.response(), r.items())).mapEmpty();
  }

  @Override public Future<StoredResponse> get(String id) {
    return db.preparedQuery("SELECT id, created_at, expires_at, response, items FROM stored_responses WHERE id = ?")
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
    return db.preparedQuery("SELECT id, size_bytes FROM stored_responses ORDER BY created_at, id LIMIT ?").execute(Tuple.of(maxRows))
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
          return db.preparedQuery("DELETE FROM stored_responses WHERE id = ?").executeBatch(batch).map(r -> freed);
        });
  }

  @Override public Future<Long> totalBytes() {
    return db.pool().query("SELECT COALESCE(SUM(size_bytes), 0) FROM stored_responses").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  private Future<Long> deleteWhere(String condition, Tuple args) {
    return db.preparedQuery("SELECT COALESCE(SUM(size_bytes), 0) FROM stored_responses WHERE " + condition).execute(args)
        .compose(sum -> {
          long bytes = sum.iterator().next().getLong(0);
          if (bytes == 0) return Future.succeededFuture(0L);
          return db.preparedQuery("DELETE FROM stored_responses WHERE " + condition).execute(args).map((RowSet<Row> r) -> bytes);
        });
  }

  @Override public Future<Void> close() {
    return db.close();
  }
}
