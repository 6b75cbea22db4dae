package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.qbridge.store.Database;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link AccountStore} over a {@link Database} (SQLite or PostgreSQL) and the Sql Client API. One
 * implementation, one behaviour for both engines: everything dialect-specific comes from
 * {@link SqlQueries}, parameters are written {@code ?} and numbered by {@link Database#sql}.
 */
final class SqlAccountStore implements AccountStore {
  private static final Logger LOG = LoggerFactory.getLogger(SqlAccountStore.class);

  private final Database db;
  private final Pool pool;
  private final SqlQueries sql;
  private final boolean ownsDatabase;

  private SqlAccountStore(Database db, boolean ownsDatabase) {
    this.db = db;
    this.pool = db.pool();
    this.sql = SqlQueries.of(db.engine());
    this.ownsDatabase = ownsDatabase;
  }

  /**
   * Applies the account migrations and proves the database is writable. Fails with a
   * {@link StoreException} "Cannot open the account database NAME: cause" (closing the database
   * when {@code ownsDatabase}). {@link #close} closes the database only when {@code ownsDatabase}.
   */
  static Future<AccountStore> open(Database db, boolean ownsDatabase) {
    SqlAccountStore store = new SqlAccountStore(db, ownsDatabase);
    return db.migrate(SqlQueries.COMPONENT, SqlQueries.migrations())
        .compose(migrated -> db.pool().query(store.sql.writeProbe).execute())
        .<AccountStore>map(store)
        .recover(err -> (ownsDatabase ? db.close() : Future.<Void>succeededFuture())
            .transform(ignored -> Future.failedFuture(new StoreException(
                "Cannot open the account database " + db.displayName() + ": " + describe(err), err))));
  }

  // ---- reads ----

  @Override
  public Future<Account> insert(Account a) {
    Tuple t = Tuple.tuple()
        .addValue(a.id()).addValue(a.label()).addValue(a.clientId()).addValue(a.clientSecret())
        .addValue(a.refreshToken()).addValue(a.accessToken()).addValue(a.other().encode())
        .addValue(UtcTimes.format(a.lastRefreshTime())).addValue(a.lastRefreshStatus().wire())
        .addValue(UtcTimes.format(a.createdAt())).addValue(UtcTimes.format(a.updatedAt()))
        .addValue(a.enabled() ? 1 : 0).addValue(a.errorCount()).addValue(a.successCount())
        .addValue(UtcTimes.format(a.expiresAt()));
    return guard("insert", db.preparedQuery(sql.insert()).execute(t).map(a));
  }

  @Override
  public Future<List<Account>> findAll() {
    return guard("findAll", pool.query(sql.selectAll()).execute().map(SqlAccountStore::toAccounts));
  }

  @Override
  public Future<Optional<Account>> findById(String id) {
    return guard("findById", db.preparedQuery(sql.selectById()).execute(Tuple.of(id))
        .map(rows -> toAccounts(rows).stream().findFirst()));
  }

  @Override
  public Future<List<Account>> findEnabled() {
    return guard("findEnabled", pool.query(sql.selectEnabled()).execute().map(SqlAccountStore::toAccounts));
  }

  @Override
  public Future<List<Account>> findLeaseCandidates(int limit, Instant now, java.util.Collection<String> exclude) {
    String at = UtcTimes.format(now);
    Tuple t = Tuple.of(at, at, new io.vertx.core.json.JsonArray(List.copyOf(exclude)).encode(), limit);
    return guard("findLeaseCandidates", db.preparedQuery(sql.selectLeaseCandidates()).execute(t)
        .map(SqlAccountStore::toAccounts));
  }

  @Override
  public Future<Integer> countEnabled() {
    return guard("countEnabled", pool.query(sql.countEnabled()).execute()
        .map(rows -> toInt(rows.iterator().next().getValue("n"))));
  }

  @Override
  public Future<Void> ping() {
    return guard("ping", pool.query(sql.ping()).execute().mapEmpty());
  }

  // ---- writes ----

  @Override
  public Future<Optional<Account>> update(String id, AccountPatch patch) {
    if (patch.isEmpty()) return findById(id);
    Tuple t = Tuple.tuple();
    for (Map.Entry<AccountPatch.Field, Object> change : patch.changes().entrySet()) {
      Object value = change.getValue();
      if (value instanceof JsonObject json) value = json.encode();
      if (value instanceof Boolean b) value = b ? 1 : 0;
      t.addValue(value);
    }
    t.addValue(UtcTimes.format(UtcTimes.now())).addValue(id);
    return guard("update", db.preparedQuery(sql.update(patch)).execute(t))
        .compose(r -> r.rowCount() == 0 ? Future.succeededFuture(Optional.empty()) : findById(id));
  }

  @Override
  public Future<Boolean> delete(String id) {
    return guard("delete", db.preparedQuery(sql.delete()).execute(Tuple.of(id)).map(r -> r.rowCount() > 0));
  }

  @Override
  public Future<Void> recordSuccess(String id) {
    return write("recordSuccess", sql.recordSuccess(), Tuple.of(UtcTimes.format(UtcTimes.now()), id));
  }

  @Override
  public Future<Void> recordFailure(String id, int maxErrorCount) {
    Instant now = UtcTimes.now();
    return write("recordFailure", sql.recordFailure(),
        Tuple.of(maxErrorCount, maxErrorCount, disabledReason("max_error_count", now), UtcTimes.format(now), id));
  }

  @Override
  public Future<Void> saveTokens(String id, String accessToken, String refreshToken, Instant expiresAt,
      Instant refreshTime, RefreshStatus status) {
    Tuple t = Tuple.tuple().addValue(accessToken).addValue(refreshToken).addValue(UtcTimes.format(expiresAt))
        .addValue(UtcTimes.format(refreshTime)).addValue(status.wire()).addValue(UtcTimes.format(UtcTimes.now()))
        .addValue(id);
    return write("saveTokens", sql.saveTokens(), t).compose(v -> durabilityBarrier());
  }

  /** Makes the previous commits durable where the dialect needs it; a failure is only logged. */
  private Future<Void> durabilityBarrier() {
    if (sql.durabilityBarrier == null) return Future.succeededFuture();
    return pool.query(sql.durabilityBarrier).execute().<Void>mapEmpty().recover(err -> {
      LOG.warn("accounts: durability barrier failed: {}", describe(err));
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<Void> markRefreshFailed(String id, Instant at, int maxErrorCount) {
    Tuple t = Tuple.tuple().addValue(UtcTimes.format(at)).addValue(maxErrorCount).addValue(maxErrorCount)
        .addValue(disabledReason("max_error_count", at)).addValue(UtcTimes.format(at)).addValue(id);
    return write("markRefreshFailed", sql.markRefreshFailed(), t);
  }

  @Override
  public Future<Void> mergeOther(String id, JsonObject patch) {
    return write("mergeOther", sql.mergeOther(), Tuple.of(patch.encode(), UtcTimes.format(UtcTimes.now()), id));
  }

  @Override
  public Future<Void> disable(String id, String reason, Instant at) {
    return write("disable", sql.disable(), Tuple.of(disabledReason(reason, at), UtcTimes.format(at), id));
  }

  @Override
  public Future<Boolean> rewriteSecrets(String id, Secrets expected, Secrets replacement) {
    Tuple t = Tuple.tuple().addValue(replacement.clientSecret()).addValue(replacement.refreshToken())
        .addValue(replacement.accessToken()).addValue(id).addValue(expected.clientSecret())
        .addValue(expected.refreshToken()).addValue(expected.accessToken());
    return guard("rewriteSecrets", db.preparedQuery(sql.rewriteSecrets()).execute(t).map(r -> r.rowCount() > 0));
  }

  @Override
  public Future<Void> compact() {
    Future<Void> chain = Future.succeededFuture();
    for (String statement : sql.compact) chain = chain.compose(v -> write("compact", statement, Tuple.tuple()));
    return chain;
  }

  @Override
  public Future<Void> close() {
    return ownsDatabase ? db.close() : Future.succeededFuture();
  }

  private Future<Void> write(String op, String statement, Tuple params) {
    return guard(op, db.preparedQuery(statement).execute(params).mapEmpty());
  }

  private static String disabledReason(String reason, Instant at) {
    return new JsonObject().put("disabledReason", reason).put("disabledAt", UtcTimes.format(at)).encode();
  }

  private static <T> Future<T> guard(String op, Future<T> future) {
    return future.recover(err -> Future.failedFuture(err instanceof StoreException ? err
        : new StoreException("account store " + op + " failed: " + describe(err), err)));
  }

  // ---- row mapping ----

  private static List<Account> toAccounts(RowSet<Row> rows) {
    List<Account> out = new ArrayList<>(rows.size());
    rows.forEach(row -> out.add(toAccount(row)));
    return out;
  }

  private static Account toAccount(Row r) {
    return new Account(
        text(r, "id"), text(r, "label"), text(r, "clientId"), text(r, "clientSecret"),
        text(r, "refreshToken"), text(r, "accessToken"), toJsonObject(text(r, "other")),
        UtcTimes.parse(text(r, "last_refresh_time")), RefreshStatus.fromWire(text(r, "last_refresh_status")),
        UtcTimes.parse(text(r, "created_at")), UtcTimes.parse(text(r, "updated_at")),
        toInt(r.getValue("enabled")) == 1, toInt(r.getValue("error_count")), toInt(r.getValue("success_count")),
        UtcTimes.parse(text(r, "expires_at")));
  }

  private static String text(Row row, String column) {
    Object v = row.getValue(column);
    return v == null ? null : v.toString();
  }

  /** {@code other} as written by q2api or by hand: null/empty → {}, non-object or garbage kept under "_unparsed". */
  private static JsonObject toJsonObject(String text) {
    if (text == null || text.isBlank()) return new JsonObject();
    try {
      Object decoded = io.vertx.core.json.Json.decodeValue(text);
      if (decoded instanceof JsonObject json) return json;
    } catch (DecodeException ignored) {
      // fall through
    }
    return new JsonObject().put("_unparsed", text);
  }

  private static int toInt(Object v) {
    if (v instanceof Number n) return n.intValue();
    if (v instanceof Boolean b) return b ? 1 : 0;
    if (v instanceof String s) {
      try {
        return Integer.parseInt(s.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  /** The messages of an exception and its causes, de-duplicated, for operators. */
  static String describe(Throwable err) {
    return Database.describe(err);
  }
}
