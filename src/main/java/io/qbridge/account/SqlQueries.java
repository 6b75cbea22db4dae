package io.qbridge.account;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Every SQL statement of the account store, for one database dialect.
 *
 * <p>The statements are portable (JDBC {@code ?} parameters, camelCase columns double-quoted so a
 * case-folding engine such as PostgreSQL keeps q2api's names, {@code random()}, {@code COALESCE},
 * {@code LIMIT ?}). What differs between engines is isolated in the constructor arguments: how to
 * list the table's columns, how to merge a JSON object into the {@code other} text column, and how
 * to prove the database is writable. A PostgreSQL dialect is a second factory next to
 * {@link #sqlite()}, e.g. {@code information_schema.columns} and
 * {@code (COALESCE(NULLIF(other,''),'{}')::jsonb || ?::jsonb)::text}; callers do not change.
 *
 * <p>Parameter order of each statement is documented next to it and must match
 * {@link JdbcAccountStore}.
 */
final class SqlQueries {

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

  // ---- schema ----

  String createTable() {
    List<String> defs = COLUMNS.stream().map(c -> q(c.name()) + " " + c.type()).toList();
    return "CREATE TABLE IF NOT EXISTS accounts (" + String.join(", ", defs) + ")";
  }

  /** Adds a column to an older table (like q2api's startup migration). */
  String addColumn(Column column) {
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

  /** Params: updated_at, id. */
  String recordSuccess() {
    return "UPDATE accounts SET success_count = COALESCE(success_count, 0) + 1, error_count = 0, updated_at = ?"
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
