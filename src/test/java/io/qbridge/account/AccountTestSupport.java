package io.qbridge.account;

import io.qbridge.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Shared fixtures for account tests: config, deployment, raw SQLite access. */
public final class AccountTestSupport {
  private AccountTestSupport() {}

  public static String sqliteUrl(Path dir) {
    return "jdbc:sqlite:" + dir.resolve("accounts.sqlite3");
  }

  /** A config through the real loader (an empty folder stands in for conf/ and .env). */
  public static AppConfig config(String databaseUrl, int maxErrorCount) {
    return config(databaseUrl, maxErrorCount, Map.of());
  }

  /** As {@link #config(String, int)} with extra settings by their environment names. */
  public static AppConfig config(String databaseUrl, int maxErrorCount, Map<String, String> extra) {
    Path empty = Path.of("target", "no-config");
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "HOST", "127.0.0.1", "PORT", "0", "HTTP_INSTANCES", "1", "MAX_ERROR_COUNT", Integer.toString(maxErrorCount),
        "DATABASE_URL", databaseUrl, "AMAZONQ_ENDPOINT", "http://127.0.0.1:9/generateAssistantResponse",
        "AMAZONQ_OIDC_ENDPOINT", "http://127.0.0.1:9", "UPSTREAM_CONNECT_TIMEOUT_MS", "1000",
        "UPSTREAM_IDLE_TIMEOUT_MS", "5000", "MAX_BODY_BYTES", Integer.toString(1 << 20)));
    env.putAll(extra);
    return io.qbridge.config.ConfigLoader.resolve(empty, env);
  }

  public static AppConfig config(Path dir, int maxErrorCount) {
    return config(sqliteUrl(dir), maxErrorCount);
  }

  /** Deploys one pool verticle and waits for it (test thread only). */
  public static String deployPool(Vertx vertx, AppConfig config) {
    return vertx.deployVerticle(new AccountPoolVerticle(config.pool(), io.qbridge.time.Timekeeper::system)).await();
  }

  /** A valid create body; {@code accessToken} may be null (then the first lease refreshes). */
  public static JsonObject newAccount(String label, String accessToken, boolean enabled) {
    JsonObject body = new JsonObject().put("label", label).put("clientId", "cid-" + label)
        .put("clientSecret", "secret-" + label).put("refreshToken", "rt-" + label).put("enabled", enabled);
    if (accessToken != null) body.put("accessToken", accessToken);
    return body;
  }

  /** One row, raw, straight from the file (secrets included), bypassing the pool. */
  public static Map<String, Object> rawRow(Path dir, String id) throws SQLException {
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir));
         Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM accounts WHERE id = '" + id.replace("'", "''") + "'")) {
      if (!rs.next()) return null;
      Map<String, Object> row = new LinkedHashMap<>();
      for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
        row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
      }
      return row;
    }
  }

  public static void rawExecute(Path dir, String... statements) throws SQLException {
    try (Connection c = DriverManager.getConnection(sqliteUrl(dir)); Statement s = c.createStatement()) {
      for (String sql : statements) s.execute(sql);
    }
  }
}
