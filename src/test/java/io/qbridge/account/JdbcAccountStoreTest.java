package io.qbridge.account;

import static io.qbridge.account.AccountTestSupport.config;
import static io.qbridge.account.AccountTestSupport.rawExecute;
import static io.qbridge.account.AccountTestSupport.sqliteUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class JdbcAccountStoreTest {
  private static final List<String> Q2API_COLUMNS = List.of("id", "label", "clientId", "clientSecret", "refreshToken",
      "accessToken", "other", "last_refresh_time", "last_refresh_status", "created_at", "updated_at", "enabled",
      "error_count", "success_count", "expires_at");

  @TempDir
  Path dir;

  private AccountStore open(Vertx vertx) {
    return AccountStores.create(vertx, config(dir, 100).pool().databaseUrl()).await();
  }

  private static Account account(String label, String accessToken) {
    Instant now = UtcTimes.now();
    return new Account(UUID.randomUUID().toString(), label, "cid", "secret", "rt", accessToken,
        new JsonObject().put("note", "keep me"), null, RefreshStatus.NEVER, now, now, true, 0, 0, null);
  }

  private List<String> columns() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         ResultSet rs = c.createStatement().executeQuery("SELECT name FROM pragma_table_info('accounts')")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }

  @Test
  void createsQ2apiSchemaInWalMode(Vertx vertx) throws Exception {
    AccountStore store = open(vertx);
    assertThat(columns()).containsExactlyElementsOf(Q2API_COLUMNS);
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
    assertThat(store.countEnabled().await()).isZero();
    store.ping().await();

    // every value is bound as SQLite TEXT/INTEGER, as q2api writes them (the uuid id included)
    Account a = store.insert(account("types", null)).await();
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         ResultSet rs = c.createStatement().executeQuery("SELECT typeof(id), typeof(\"clientId\"), typeof(other),"
             + " typeof(created_at), typeof(enabled), typeof(error_count), typeof(\"accessToken\"), id FROM accounts")) {
      rs.next();
      assertThat(List.of(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
          rs.getString(6), rs.getString(7))).containsExactly("text", "text", "text", "text", "integer", "integer", "null");
      assertThat(rs.getString(8)).isEqualTo(a.id());
    }
  }

  @Test
  void everyPooledConnectionGetsTheSqlitePragmasFromTheUrl(Vertx vertx) {
    open(vertx).close().await();
    String url = AccountStores.sqliteUrlWithPragmas(sqliteUrl(dir));
    Pool pool = JDBCPool.pool(vertx, new JDBCConnectOptions().setJdbcUrl(url), new PoolOptions().setMaxSize(4));
    List<SqlConnection> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) held.add(pool.getConnection().await()); // four distinct physical connections
    for (SqlConnection conn : held) {
      assertThat(conn.query("PRAGMA busy_timeout").execute().await().iterator().next().getValue(0).toString())
          .isEqualTo("5000");
      assertThat(conn.query("PRAGMA journal_mode").execute().await().iterator().next().getValue(0).toString())
          .isEqualToIgnoringCase("wal");
      assertThat(conn.query("PRAGMA synchronous").execute().await().iterator().next().getValue(0).toString())
          .isEqualTo("1"); // NORMAL
    }
    held.forEach(SqlConnection::close);
    pool.close().await();
  }

  @Test
  void sqliteUrlGetsOnlyTheMissingPragmas() {
    assertThat(AccountStores.sqliteUrlWithPragmas("jdbc:sqlite:/x/db"))
        .isEqualTo("jdbc:sqlite:/x/db?journal_mode=WAL&busy_timeout=5000&synchronous=NORMAL");
    assertThat(AccountStores.sqliteUrlWithPragmas("jdbc:sqlite:/x/db?busy_timeout=100"))
        .isEqualTo("jdbc:sqlite:/x/db?busy_timeout=100&journal_mode=WAL&synchronous=NORMAL");
    assertThat(AccountStores.sqliteUrlWithPragmas("jdbc:sqlite:/x/db?journal_mode=DELETE&busy_timeout=1&synchronous=FULL"))
        .isEqualTo("jdbc:sqlite:/x/db?journal_mode=DELETE&busy_timeout=1&synchronous=FULL");
  }

  @Test
  void migratesAnOlderQ2apiTableByAddingMissingColumns(Vertx vertx) throws Exception {
    rawExecute(dir,
        "CREATE TABLE accounts (id TEXT PRIMARY KEY, label TEXT, clientId TEXT, clientSecret TEXT, refreshToken TEXT,"
            + " accessToken TEXT, other TEXT, last_refresh_time TEXT, last_refresh_status TEXT, created_at TEXT,"
            + " updated_at TEXT, enabled INTEGER DEFAULT 1)",
        "INSERT INTO accounts VALUES ('old-1', 'legacy', 'cid', 'cs', 'rt', 'at', '{\"source\":\"feed\"}',"
            + " '2025-11-10T12:34:56', 'success', '2025-11-01T08:00:00', '2025-11-10T12:34:56', 1)");

    AccountStore store = open(vertx);
    assertThat(columns()).containsExactlyInAnyOrderElementsOf(Q2API_COLUMNS);

    Account old = store.findById("old-1").await().orElseThrow();
    assertThat(old.errorCount()).isZero();
    assertThat(old.successCount()).isZero();
    assertThat(old.expiresAt()).isNull();
    assertThat(old.enabled()).isTrue();
    assertThat(old.lastRefreshStatus()).isEqualTo(RefreshStatus.SUCCESS);
    assertThat(old.lastRefreshTime()).isEqualTo(Instant.parse("2025-11-10T12:34:56Z")); // UTC, not local time
    assertThat(old.createdAt()).isEqualTo(Instant.parse("2025-11-01T08:00:00Z"));
    assertThat(old.other().getString("source")).isEqualTo("feed");

    store.recordSuccess("old-1").await();
    assertThat(store.findById("old-1").await().orElseThrow().successCount()).isEqualTo(1);
    store.close().await();

    AccountStore reopened = open(vertx); // migration is idempotent
    assertThat(reopened.findAll().await()).hasSize(1);
  }

  @Test
  void unwritablePathFailsToOpenWithAClearMessage(Vertx vertx) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    Path dbPath = notADirectory.resolve("accounts.sqlite3");
    Throwable err = catchThrowable(() -> AccountStores.create(vertx, config("jdbc:sqlite:" + dbPath, 100).pool().databaseUrl()).await());
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("Cannot open the account database '" + dbPath + "'");
  }

  @Test
  void readOnlyDatabaseFailsToOpen(Vertx vertx) {
    open(vertx).close().await();
    String readOnly = sqliteUrl(dir) + "?open_mode=1"; // SQLITE_OPEN_READONLY
    Throwable err = catchThrowable(() -> AccountStores.create(vertx, config(readOnly, 100).pool().databaseUrl()).await());
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageContaining("Cannot open the account database")
        .hasMessageContaining("readonly");
  }

  @Test
  void postgresIsRecognisedButNotSupportedYetAndUrlsAreNotEchoed(Vertx vertx) {
    Throwable pg = catchThrowable(() -> AccountStores.create(vertx, config("jdbc:postgresql://u:hunter2@db/q", 100).pool().databaseUrl()).await());
    assertThat(pg).isInstanceOf(StoreException.class).hasMessageContaining("PostgreSQL")
        .hasMessageContaining("not supported yet").hasMessageNotContaining("hunter2");
    // other schemes never reach the store: configuration validation rejects them first
    Throwable other = catchThrowable(() -> config("mysql://u:hunter2@db/q", 100));
    assertThat(other).isInstanceOf(io.qbridge.config.ConfigException.class).hasMessageContaining("DATABASE_URL")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void concurrentFailuresOnALargerPoolAreCountedExactlyAndDisableAtMax(Vertx vertx) {
    AccountStore store = AccountStores.openSqlite(vertx, sqliteUrl(dir), 4).await();
    Account a = store.insert(account("busy", "at")).await();
    List<Future<Void>> writes = IntStream.range(0, 200)
        .mapToObj(i -> store.recordFailure(a.id(), 150)).toList();
    Future.all(writes).await();

    Account after = store.findById(a.id()).await().orElseThrow();
    assertThat(after.errorCount()).isEqualTo(200);
    assertThat(after.enabled()).isFalse();
    assertThat(after.other().getString("disabledReason")).isEqualTo("max_error_count");
    assertThat(after.other().getString("disabledAt")).isNotBlank();
    assertThat(after.other().getString("note")).isEqualTo("keep me");
    store.close().await();
  }

  @Test
  void successResetsConsecutiveErrors(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    store.recordFailure(a.id(), 10).await();
    store.recordFailure(a.id(), 10).await();
    store.recordSuccess(a.id()).await();
    Account after = store.findById(a.id()).await().orElseThrow();
    assertThat(after.errorCount()).isZero();
    assertThat(after.successCount()).isEqualTo(1);
    assertThat(after.enabled()).isTrue();
  }

  @Test
  void patchChangesOnlyGivenFieldsAndReEnablingClearsTheDisabledState(Vertx vertx) {
    AccountStore store = open(vertx);
    Account a = store.insert(account("a", "at")).await();
    store.saveTokens(a.id(), "at2", null, Instant.now().plusSeconds(3600), Instant.now(), RefreshStatus.SUCCESS).await();
    store.recordFailure(a.id(), 1).await();
    Account disabled = store.findById(a.id()).await().orElseThrow();
    assertThat(disabled.enabled()).isFalse();
    assertThat(disabled.refreshToken()).isEqualTo("rt"); // null refresh token kept the old one

    Account relabelled = store.update(a.id(), AccountPatch.builder().label("b").build()).await().orElseThrow();
    assertThat(relabelled.label()).isEqualTo("b");
    assertThat(relabelled.accessToken()).isEqualTo("at2");
    assertThat(relabelled.expiresAt()).isNotNull();
    assertThat(relabelled.enabled()).isFalse();

    Account enabled = store.update(a.id(), AccountPatch.builder().enabled(true).accessToken("at3").build())
        .await().orElseThrow();
    assertThat(enabled.enabled()).isTrue();
    assertThat(enabled.errorCount()).isZero();
    assertThat(enabled.other().containsKey("disabledReason")).isFalse();
    assertThat(enabled.other().getString("note")).isEqualTo("keep me");
    assertThat(enabled.accessToken()).isEqualTo("at3");
    assertThat(enabled.expiresAt()).isNull(); // the expiry belonged to the replaced token

    assertThat(store.update("missing", AccountPatch.builder().label("x").build()).await()).isEmpty();
    assertThat(store.delete(a.id()).await()).isTrue();
    assertThat(store.delete(a.id()).await()).isFalse();
  }
}
