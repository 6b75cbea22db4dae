package io.qbridge.account;

import static io.qbridge.account.AccountTestSupport.config;
import static io.qbridge.account.AccountTestSupport.sqliteUrl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.store.DatabaseUrl;
import io.vertx.core.Vertx;
import io.vertx.jdbcclient.JDBCConnectOptions;
import io.vertx.jdbcclient.JDBCPool;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite, plus SQLite's own settings (WAL, pragmas, value types, file errors). */
class SqliteAccountStoreTest extends AccountStoreContract {

  @TempDir
  Path dir;

  @Override
  String databaseUrl() {
    return sqliteUrl(dir);
  }

  @Override
  List<String> rawColumns() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         ResultSet rs = c.createStatement().executeQuery("SELECT name FROM pragma_table_info('accounts')")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }

  @Override
  void rawExecute(String... statements) throws Exception {
    AccountTestSupport.rawExecute(dir, statements);
  }

  @Override
  AccountStore openWithSeveralConnections(Vertx vertx) {
    return AccountStores.open(vertx, sqliteUrl(dir), 4).await();
  }

  @Test
  void createsQ2apiSchemaInWalModeWithQ2apiValueTypes(Vertx vertx) throws Exception {
    AccountStore store = open(vertx);
    assertThat(rawColumns()).containsExactlyElementsOf(Q2API_COLUMNS);
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         ResultSet rs = c.createStatement().executeQuery("PRAGMA journal_mode")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
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
    String url = DatabaseUrl.sqliteWithPragmas(sqliteUrl(dir));
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
    assertThat(DatabaseUrl.sqliteWithPragmas("jdbc:sqlite:/x/db"))
        .isEqualTo("jdbc:sqlite:/x/db?journal_mode=WAL&busy_timeout=5000&synchronous=NORMAL");
    assertThat(DatabaseUrl.sqliteWithPragmas("jdbc:sqlite:/x/db?busy_timeout=100"))
        .isEqualTo("jdbc:sqlite:/x/db?busy_timeout=100&journal_mode=WAL&synchronous=NORMAL");
    assertThat(DatabaseUrl.sqliteWithPragmas("jdbc:sqlite:/x/db?journal_mode=DELETE&busy_timeout=1&synchronous=FULL"))
        .isEqualTo("jdbc:sqlite:/x/db?journal_mode=DELETE&busy_timeout=1&synchronous=FULL");
  }

  @Test
  void unwritablePathFailsToOpenWithAClearMessage(Vertx vertx) throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("plain-file"), "x");
    Path dbPath = notADirectory.resolve("accounts.sqlite3");
    Throwable err = catchThrowable(() -> AccountStores.create(vertx, config("jdbc:sqlite:" + dbPath, 100).pool().databaseUrl()).await());
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageStartingWith("Cannot open the database '" + dbPath + "'")
        .hasMessageContaining("check that the directory exists and is writable");
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
  void unsupportedSchemesNeverReachTheStoreAndUrlsAreNotEchoed() {
    Throwable other = catchThrowable(() -> config("mysql://u:hunter2@db/q", 100));
    assertThat(other).isInstanceOf(io.qbridge.config.ConfigException.class).hasMessageContaining("DATABASE_URL")
        .hasMessageNotContaining("hunter2");
  }
}
