package io.qbridge.account;

import io.qbridge.store.Database;
import io.qbridge.store.Engine;
import io.qbridge.store.Migration;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.List;
import java.util.Map;

/**
 * Every SQL statement of the account store, for one database dialect, and the store's schema
 * migrations.
 *
 * <p>The statements are portable ({@code ?} parameters, numbered for PostgreSQL by
 * {@link Database#sql}; camelCase columns double-quoted so a case-folding engine such as
 * PostgreSQL keeps q2api's names; {@code random()}, {@code COALESCE}, {@code LIMIT ?}). What
 * differs between engines is isolated in the constructor arguments: how to list the table's
 * columns, how to merge a JSON object into the {@code other} text column and read a key of it,
 * and whether a write needs a durability barrier. q2api's column types (times as fixed-width UTC
 * text, {@code enabled} as 0/1) are kept on both engines, so one row mapping serves both.
 *
 * <p>Parameter order of each statement is documented next to it and must match
 * {@link SqlAccountStore}.
 */
final class SqlQueries {
  private static final Logger LOG = LoggerFactory.getLogger(SqlQueries.class);

  /** A column of q2api's schema: its (unquoted) name and its SQL type with default. */
  record Column(String name, String type) {}

  /** q2api's columns, in q2api's order. {@code id} is the primary key and cannot be added later. */
  static final List<Column> COLUMNS = List.of(
      new Column("id", "TEXT PRIMARY KEY"),
      new Column("label", "TEXT"),
      new Column("clientId", "TEXT"),
      new Column("clientSecret", "TEXT"),
      new Column("refreshToken", "TEXT"),
      new Column("accessToken", "TEXT"),
      new Column("other", "TEXT"),
      new Column("last_refresh_time", "TEXT"),
      new Column("last_refresh_status", "TEXT DEFAULT 'never'"),
      new Column("created_at", "TEXT"),
      new Column("updated_at", "TEXT"),
      new Column("enabled", "INTEGER DEFAULT 1"),
      new Column("error_count", "INTEGER DEFAULT 0"),
      new Column("success_count", "INTEGER DEFAULT 0"),
      new Column("expires_at", "TEXT"));

  private static final String SELECT_LIST = String.join(", ", COLUMNS.stream().map(c -> q(c.name())).toList());
  private static final String FROM = "SELECT " + SELECT_LIST + " FROM accounts";

  final String dialect;
  /** One row per column, in a column named {@code name}. */
  final String listColumns;
  /** A statement that needs write access but changes nothing; fails on a read-only database. */
  final String writeProbe;
  /** Run after a write that must survive a power cut (token save); null when commits are already durable. */
  final String durabilityBarrier;
  /** Statements that erase the free space rewrites leave behind (see {@link AccountStore#compact}); may be empty. */
  final List<String> compact;
  private final String mergeIntoOther;
  private final String removeDisabledMarkers;
  /** Text of one top-level key of {@code other} ({@code %s} = the key), NULL when absent or not JSON. */
  private final String otherField;
  /** Condition "id is not one of the strings in the JSON array parameter". */
  private final String idNotInJsonArray;

  private SqlQueries(String dialect, String listColumns, String writeProbe, String durabilityBarrier,
      String mergeIntoOther, String removeDisabledMarkers, String otherField, String idNotInJsonArray) {
    this(dialect, listColumns, writeProbe, durabilityBarrier, List.of(), mergeIntoOther, removeDisabledMarkers, otherField,
        idNotInJsonArray);
  }

  private SqlQueries(String dialect, String listColumns, String writeProbe, String durabilityBarrier, List<String> compact,
      String mergeIntoOther, String removeDisabledMarkers, String otherField, String idNotInJsonArray) {
    this.compact = List.copyOf(compact);
    this.dialect = dialect;
    this.listColumns = listColumns;
    this.writeProbe = writeProbe;
    this.durabilityBarrier = durabilityBarrier;
    this.mergeIntoOther = mergeIntoOther;
    this.removeDisabledMarkers = removeDisabledMarkers;
    this.otherField = otherField;
    this.idNotInJsonArray = idNotInJsonArray;
  }

  /**
   * SQLite (3.38+, JSON functions built in). {@code other} holding invalid JSON is treated as
   * {@code {}} when something is merged into it. With {@code synchronous=NORMAL} a WAL commit is
   * not fsynced; a checkpoint is (see {@link AccountStores}).
   */
  static SqlQueries sqlite() {
    String otherOrEmpty = "CASE WHEN json_valid(other) THEN other ELSE '{}' END";
    return new SqlQueries(
        "sqlite",
        "SELECT name FROM pragma_table_info('accounts')",
        "UPDATE accounts SET id = id WHERE 1 = 0",
        "PRAGMA wal_checkpoint(PASSIVE)",
        List.of("VACUUM", "PRAGMA wal_checkpoint(TRUNCATE)"),
        "json_patch(" + otherOrEmpty + ", ?)",
        "json_remove(" + otherOrEmpty + ", '$.disabledReason', '$.disabledAt', '$.cooldownUntil', '$.cooldownReason',"
            + " '$.parkedUntil', '$.parkedReason')",
        "json_extract(" + otherOrEmpty + ", '$.%s')",
        "id NOT IN (SELECT value FROM json_each(?))");
  }

  /**
   * PostgreSQL (12+). {@code other} stays a text column (q2api's schema, one row mapping): it is
   * read as jsonb through {@code qbridge_json_object} (invalid JSON or a non-object counts as
   * {@code {}}, as on SQLite) and merged with {@code qbridge_merge_patch} (RFC 7386, recursive,
   * like SQLite's {@code json_patch}); both functions are created by migration v1. Values of
   * {@code other} compared with times use {@code COLLATE "C"}: byte order is time order for the
   * fixed-width UTC text, whatever the database's collation. Commits are durable already.
   * Compacting (after secrets are encrypted at start) is {@code VACUUM FULL accounts}: a brief
   * exclusive lock on a table of a few rows.
   */
  static SqlQueries postgres() {
    String otherJson = "qbridge_json_object(other)";
    return new SqlQueries(
        "postgres",
        "SELECT column_name::text AS name FROM information_schema.columns"
            + " WHERE table_schema = current_schema() AND table_name = 'accounts'",
        "UPDATE accounts SET id = id WHERE 1 = 0",
        null,
        // a rewrite leaves the old row versions behind as dead tuples (autovacuum only marks them
        // reusable): rewrite the small table so plaintext secrets do not linger in its file
        List.of("VACUUM FULL accounts"),
        "qbridge_merge_patch(" + otherJson + ", (?::text)::jsonb)::text",
        "(" + otherJson + " - ARRAY['disabledReason', 'disabledAt', 'cooldownUntil', 'cooldownReason',"
            + " 'parkedUntil', 'parkedReason'])::text",
        "(" + otherJson + " ->> '%s') COLLATE \"C\"",
        "id NOT IN (SELECT jsonb_array_elements_text((?::text)::jsonb))");
  }

  static SqlQueries of(Engine engine) {
    return engine == Engine.POSTGRES ? postgres() : sqlite();
  }

  // ---- migrations (component "accounts"; versions only grow, see Database#migrate) ----

  static final String COMPONENT = "accounts";

  /** PostgreSQL's helpers for the {@code other} column (see {@link #postgres()}). */
  private static final List<String> POSTGRES_JSON_FUNCTIONS = List.of(
      """
      CREATE OR REPLACE FUNCTION qbridge_json_object(t text) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE j jsonb;
      BEGIN
        IF t IS NULL OR t = '' THEN RETURN '{}'::jsonb; END IF;
        j := t::jsonb;
        RETURN CASE WHEN jsonb_typeof(j) = 'object' THEN j ELSE '{}'::jsonb END;
      EXCEPTION WHEN others THEN
        RETURN '{}'::jsonb;
      END $$""",
      """
      CREATE OR REPLACE FUNCTION qbridge_merge_patch(target jsonb, patch jsonb) RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
      DECLARE k text; v jsonb; result jsonb;
      BEGIN
        IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN RETURN patch; END IF;
        result := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
        FOR k, v IN SELECT key, value FROM jsonb_each(patch) LOOP
          IF jsonb_typeof(v) = 'null' THEN
            result := result - k;
          ELSE
            result := jsonb_set(result, ARRAY[k], qbridge_merge_patch(result -> k, v));
          END IF;
        END LOOP;
        RETURN result;
      END $$""");

  /** PostgreSQL channel that carries "an account changed who may serve" (payload: the account id). */
  static final String CHANGES_CHANNEL = "qbridge_accounts";

  /**
   * PostgreSQL: a NOTIFY on {@link #CHANGES_CHANNEL} for every committed change of a row that can
   * change who may serve: insert, delete, and updates of enabled, other (suspension, holds,
   * cooldowns, quota state), the tokens or their expiry. A trigger, so every writer is covered
   * (another instance, an operator's SQL); counter-only updates ({@code recordSuccess}, a failure
   * that does not disable) send nothing.
   */
  private static final List<String> POSTGRES_CHANGE_NOTIFICATIONS = List.of(
      """
      CREATE OR REPLACE FUNCTION qbridge_accounts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('%1$s', CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END);
        RETURN NULL;
      END $$""".formatted(CHANGES_CHANNEL),
      "CREATE TRIGGER accounts_changed_rows AFTER INSERT OR DELETE ON accounts FOR EACH ROW"
          + " EXECUTE FUNCTION qbridge_accounts_changed()",
      "CREATE TRIGGER accounts_changed_fields AFTER UPDATE ON accounts FOR EACH ROW WHEN ("
          + "OLD.enabled IS DISTINCT FROM NEW.enabled OR OLD.other IS DISTINCT FROM NEW.other"
          + " OR OLD.\"refreshToken\" IS DISTINCT FROM NEW.\"refreshToken\""
          + " OR OLD.\"accessToken\" IS DISTINCT FROM NEW.\"accessToken\""
          + " OR OLD.expires_at IS DISTINCT FROM NEW.expires_at OR OLD.id IS DISTINCT FROM NEW.id)"
          + " EXECUTE FUNCTION qbridge_accounts_changed()");

  /** The account store's schema history. */
  static List<Migration> migrations() {
    return List.of(new Migration(1, "accounts table (q2api's schema; columns missing from an older q2api table are added)",
        (conn, db) -> {
          SqlQueries sql = of(db.engine());
          Future<Void> functions = Future.succeededFuture();
          if (db.engine() == Engine.POSTGRES) {
            for (String f : POSTGRES_JSON_FUNCTIONS) functions = functions.compose(v -> conn.query(f).execute().mapEmpty());
          }
          return functions.compose(v -> conn.query(sql.createTable()).execute())
              .compose(created -> conn.query(sql.listColumns).execute())
              .compose(rows -> sql.addMissingColumns(conn, rows));
        }),
        Migration.of(2, "PostgreSQL: NOTIFY qbridge_accounts when a row changes who may serve",
            engine -> engine == Engine.POSTGRES ? POSTGRES_CHANGE_NOTIFICATIONS : List.of()));
  }

  private Future<Void> addMissingColumns(SqlConnection conn, RowSet<Row> rows) {
    Set<String> present = new HashSet<>();
    rows.forEach(row -> present.add(String.valueOf(row.getValue("name"))));
    if (!present.contains("id")) {
      return Future.failedFuture(new StoreException("table accounts exists but has no id column"));
    }
    Future<Void> chain = Future.succeededFuture();
    for (Column column : COLUMNS) {
      if (present.contains(column.name())) continue;
      chain = chain.compose(v -> conn.query(addColumn(column)).execute()
          .onSuccess(r -> LOG.info("accounts: added missing column {}", column.name()))
          .mapEmpty());
    }
    return chain;
  }

  // ---- schema ----

  private String createTable() {
    List<String> defs = COLUMNS.stream().map(c -> q(c.name()) + " " + c.type()).toList();
    return "CREATE TABLE IF NOT EXISTS accounts (" + String.join(", ", defs) + ")";
  }

  /** Adds a column to an older table (like q2api's startup migration). */
  private String addColumn(Column column) {
    return "ALTER TABLE accounts ADD COLUMN " + q(column.name()) + " " + column.type();
  }

  // ---- reads ----

  /** Params: none. */
  String selectAll() {
    return FROM + " ORDER BY created_at DESC, id";
  }

  /** Params: id. */
  String selectById() {
    return FROM + " WHERE id = ?";
  }

  /** Params: none. */
  String selectEnabled() {
    return FROM + " WHERE enabled = 1 ORDER BY created_at DESC, id";
  }

  /**
   * Params: now, now (UTC text, see {@link UtcTimes}), JSON array of ids to skip, limit. Enabled
   * rows holding a token whose persisted cooldown and park times ({@code other.cooldownUntil},
   * {@code other.parkedUntil}; fixed-width UTC text, so text order is time order) are not in the
   * future, in random order. Reading the holds from the row (not only from one process' memory)
   * is what lets several gateways share one database later.
   */
  String selectLeaseCandidates() {
    return FROM + " WHERE enabled = 1 AND (COALESCE(\"refreshToken\", '') <> '' OR COALESCE(\"accessToken\", '') <> '')"
        + " AND COALESCE(" + otherField("cooldownUntil") + ", '') <= ?"
        + " AND COALESCE(" + otherField("parkedUntil") + ", '') <= ?"
        + " AND " + idNotInJsonArray
        + " ORDER BY random() LIMIT ?";
  }

  private String otherField(String key) {
    return String.format(otherField, key);
  }

  /** Params: none; one row, column {@code n}. */
  String countEnabled() {
    return "SELECT COUNT(*) AS n FROM accounts WHERE enabled = 1";
  }

  String ping() {
    return "SELECT 1";
  }

  // ---- writes ----

  /** Params: the 15 columns in {@link #COLUMNS} order. */
  String insert() {
    String marks = String.join(", ", COLUMNS.stream().map(c -> "?").toList());
    return "INSERT INTO accounts (" + SELECT_LIST + ") VALUES (" + marks + ")";
  }

  /** Params: id. */
  String delete() {
    return "DELETE FROM accounts WHERE id = ?";
  }

  /**
   * Params: one per changed field in {@link AccountPatch.Field} order (OTHER as JSON text,
   * ENABLED as 1/0), then updated_at, id.
   */
  String update(AccountPatch patch) {
    List<String> sets = new ArrayList<>();
    for (Map.Entry<AccountPatch.Field, Object> change : patch.changes().entrySet()) {
      sets.add(q(column(change.getKey())) + " = ?");
      if (change.getKey() == AccountPatch.Field.ACCESS_TOKEN) sets.add("expires_at = NULL");
      if (change.getKey() == AccountPatch.Field.ENABLED && Boolean.TRUE.equals(change.getValue())) {
        sets.add("error_count = 0");
        if (!patch.has(AccountPatch.Field.OTHER)) sets.add("other = " + removeDisabledMarkers);
      }
    }
    sets.add("updated_at = ?");
    return "UPDATE accounts SET " + String.join(", ", sets) + " WHERE id = ?";
  }

  /** Params: count, updated_at, id. */
  String recordSuccess() {
    return "UPDATE accounts SET success_count = COALESCE(success_count, 0) + ?, error_count = 0, updated_at = ?"
        + " WHERE id = ?";
  }

  /** Params: maxErrorCount, maxErrorCount, disabled-reason JSON, updated_at, id. */
  String recordFailure() {
    return "UPDATE accounts SET " + countFailure() + ", updated_at = ? WHERE id = ?";
  }

  /** Params: last_refresh_time, maxErrorCount, maxErrorCount, disabled-reason JSON, updated_at, id. */
  String markRefreshFailed() {
    return "UPDATE accounts SET last_refresh_time = ?, last_refresh_status = 'failed', " + countFailure()
        + ", updated_at = ? WHERE id = ?";
  }

  /**
   * One failure, atomically: SET expressions all see the row's old values, so "new count" is
   * {@code old + 1}; the reason is merged only on the enabled → disabled transition.
   */
  private String countFailure() {
    String newCount = "COALESCE(error_count, 0) + 1";
    return "error_count = " + newCount
        + ", enabled = CASE WHEN " + newCount + " >= ? THEN 0 ELSE enabled END"
        + ", other = CASE WHEN enabled = 1 AND " + newCount + " >= ? THEN " + mergeIntoOther + " ELSE other END";
  }

  /** Params: accessToken, refreshToken (null keeps the current one), expires_at, last_refresh_time, status, updated_at, id. */
  String saveTokens() {
    return "UPDATE accounts SET \"accessToken\" = ?, \"refreshToken\" = COALESCE(?, \"refreshToken\"), expires_at = ?,"
        + " last_refresh_time = ?, last_refresh_status = ?, updated_at = ? WHERE id = ?";
  }

  /** Params: JSON object merged into {@code other} (a null member removes the key), updated_at, id. */
  String mergeOther() {
    return "UPDATE accounts SET other = " + mergeIntoOther + ", updated_at = ? WHERE id = ?";
  }

  /** Params: reason JSON, updated_at, id. */
  String disable() {
    return "UPDATE accounts SET enabled = 0, other = " + mergeIntoOther + ", updated_at = ? WHERE id = ?";
  }

  /**
   * Params: clientSecret, refreshToken, accessToken (new), id, then the three expected values.
   * {@code IS NOT DISTINCT FROM} (SQL:2003; SQLite 3.39+, PostgreSQL) compares NULLs as equal.
   */
  String rewriteSecrets() {
    return "UPDATE accounts SET \"clientSecret\" = ?, \"refreshToken\" = ?, \"accessToken\" = ? WHERE id = ?"
        + " AND \"clientSecret\" IS NOT DISTINCT FROM ? AND \"refreshToken\" IS NOT DISTINCT FROM ?"
        + " AND \"accessToken\" IS NOT DISTINCT FROM ?";
  }

  static String column(AccountPatch.Field field) {
    return switch (field) {
      case LABEL -> "label";
      case CLIENT_ID -> "clientId";
      case CLIENT_SECRET -> "clientSecret";
      case REFRESH_TOKEN -> "refreshToken";
      case ACCESS_TOKEN -> "accessToken";
      case OTHER -> "other";
      case ENABLED -> "enabled";
    };
  }

  /** Quotes an identifier (all of ours are plain ASCII names). */
  private static String q(String name) {
    return '"' + name + '"';
  }
}
