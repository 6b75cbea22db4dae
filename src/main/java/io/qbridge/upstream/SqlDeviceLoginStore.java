package io.qbridge.upstream;

import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@link DeviceLoginStore} as rows of {@code device_logins} in the shared database. Every change of
 * a pending session is one conditional statement (pending, and polled by the caller, or with the
 * exact poll lease the adopter read), so of two instances only one changes it.
 */
final class SqlDeviceLoginStore implements DeviceLoginStore {

  static final String COMPONENT = "device_logins";
  static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "device-login sessions shared by the instances",
      engine -> List.of(
          "CREATE TABLE IF NOT EXISTS device_logins (auth_id TEXT PRIMARY KEY, label TEXT, enabled INTEGER NOT NULL,"
              + " client_id TEXT, client_secret TEXT, device_code TEXT, interval_ms BIGINT NOT NULL,"
              + " expires_at_ms BIGINT NOT NULL, status TEXT NOT NULL, error TEXT, account TEXT, poller TEXT,"
              + " poll_until_ms BIGINT NOT NULL, settled_at_ms BIGINT NOT NULL)",
          "CREATE INDEX IF NOT EXISTS device_logins_status ON device_logins (status, poll_until_ms)")));

  private static final String COLUMNS = "auth_id, label, enabled, client_id, client_secret, device_code, interval_ms,"
      + " expires_at_ms, status, error, account, poller, poll_until_ms, settled_at_ms";
  /** Params: the 14 columns in {@link #COLUMNS} order. */
  static final String INSERT = "INSERT INTO device_logins (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  /** Params: auth id. */
  static final String FIND = "SELECT " + COLUMNS + " FROM device_logins WHERE auth_id = ?";
  /** Params: now. */
  static final String COUNT_PENDING = "SELECT COUNT(*) AS n FROM device_logins WHERE status = 'pending' AND expires_at_ms > ?";
  /** Params: status, error, account JSON, settled at, auth id, poller. */
  static final String SETTLE = "UPDATE device_logins SET status = ?, error = ?, account = ?, settled_at_ms = ?,"
      + " client_id = NULL, client_secret = NULL, device_code = NULL"
      + " WHERE auth_id = ? AND status = 'pending' AND poller = ?";
  /** Params: until, poller. */
  static final String RENEW = "UPDATE device_logins SET poll_until_ms = ? WHERE poller = ? AND status = 'pending'";
  /** Params: now, now. */
  static final String ORPHANS = "SELECT auth_id, poll_until_ms FROM device_logins"
      + " WHERE status = 'pending' AND poll_until_ms <= ? AND expires_at_ms > ?";
  /** Params: poller, until, auth id, the poll lease as read. */
  static final String ADOPT = "UPDATE device_logins SET poller = ?, poll_until_ms = ?"
      + " WHERE auth_id = ? AND status = 'pending' AND poll_until_ms = ?";
  /** Params: poller. */
  static final String ABANDON = "UPDATE device_logins SET poll_until_ms = 0 WHERE poller = ? AND status = 'pending'";
  /** Params: cutoff, cutoff. */
  static final String DELETE_FINISHED = "DELETE FROM device_logins"
      + " WHERE (status <> 'pending' AND settled_at_ms < ?) OR (status = 'pending' AND expires_at_ms < ?)";

  private final Database db;

  private SqlDeviceLoginStore(Database db) {
    this.db = db;
  }

  /** Creates the table if missing (a migration), then the store. */
  static Future<DeviceLoginStore> open(Database db) {
    return db.migrate(COMPONENT, MIGRATIONS).map(v -> new SqlDeviceLoginStore(db));
  }

  @Override
  public Future<Void> insert(Row row) {
    return db.preparedQuery(INSERT).execute(Tuple.tuple()
        .addValue(row.authId()).addValue(row.label()).addValue(row.enabled() ? 1 : 0).addValue(row.clientId())
        .addValue(row.clientSecret()).addValue(row.deviceCode()).addValue(row.intervalMs()).addValue(row.expiresAtMs())
        .addValue(row.status()).addValue(row.error()).addValue(row.account() == null ? null : row.account().encode())
        .addValue(row.poller()).addValue(row.pollUntilMs()).addValue(row.settledAtMs())).mapEmpty();
  }

  @Override
  public Future<Optional<Row>> find(String authId) {
    return db.preparedQuery(FIND).execute(Tuple.of(authId)).map(rows -> {
      for (io.vertx.sqlclient.Row r : rows) return Optional.of(toRow(r));
      return Optional.empty();
    });
  }

  @Override
  public Future<Integer> countPending(long nowMs) {
    return db.preparedQuery(COUNT_PENDING).execute(Tuple.of(nowMs))
        .map(rows -> ((Number) rows.iterator().next().getValue("n")).intValue());
  }

  @Override
  public Future<Boolean> settle(String authId, String poller, String status, String error, JsonObject account, long nowMs) {
    Tuple t = Tuple.tuple().addValue(status).addValue(error).addValue(account == null ? null : account.encode())
        .addValue(nowMs).addValue(authId).addValue(poller);
    return db.preparedQuery(SETTLE).execute(t).map(rows -> rows.rowCount() == 1);
  }

  @Override
  public Future<Void> renew(String poller, long untilMs) {
    return db.preparedQuery(RENEW).execute(Tuple.of(untilMs, poller)).mapEmpty();
  }

  @Override
  public Future<List<Row>> adopt(String poller, long nowMs, long untilMs) {
    return db.preparedQuery(ORPHANS).execute(Tuple.of(nowMs, nowMs)).compose(orphans -> {
      List<Row> adopted = new ArrayList<>();
      Future<Void> chain = Future.succeededFuture();
      for (io.vertx.sqlclient.Row orphan : orphans) {
        String authId = orphan.getString("auth_id");
        long leaseAsRead = ((Number) orphan.getValue("poll_until_ms")).longValue();
        chain = chain.compose(v -> db.preparedQuery(ADOPT).execute(Tuple.of(poller, untilMs, authId, leaseAsRead)))
            .compose(updated -> updated.rowCount() == 1 ? find(authId) : Future.succeededFuture(Optional.<Row>empty()))
            .map(found -> {
              found.ifPresent(adopted::add);
              return null;
            });
      }
      return chain.map(v -> adopted);
    });
  }

  @Override
  public Future<Void> abandon(String poller) {
    return db.preparedQuery(ABANDON).execute(Tuple.of(poller)).mapEmpty();
  }

  @Override
  public Future<Void> deleteFinishedBefore(long cutoffMs) {
    return db.preparedQuery(DELETE_FINISHED).execute(Tuple.of(cutoffMs, cutoffMs)).mapEmpty();
  }

  private static Row toRow(io.vertx.sqlclient.Row r) {
    String account = r.getString("account");
    return new Row(r.getString("auth_id"), r.getString("label"), number(r, "enabled") == 1, r.getString("client_id"),
        r.getString("client_secret"), r.getString("device_code"), number(r, "interval_ms"), number(r, "expires_at_ms"),
        r.getString("status"), r.getString("error"), account == null ? null : new JsonObject(account), r.getString("poller"),
        number(r, "poll_until_ms"), number(r, "settled_at_ms"));
  }

  private static long number(io.vertx.sqlclient.Row r, String column) {
    Object v = r.getValue(column);
    return v instanceof Number n ? n.longValue() : 0;
  }
}
