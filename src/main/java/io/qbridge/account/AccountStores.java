package io.qbridge.account;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Chooses and opens the {@link AccountStore} for {@code DATABASE_URL}.
 *
 * <ul>
 *   <li>{@code jdbc:sqlite:<file>}: SQLite (the default, as in q2api).
 *   <li>{@code postgres://}, {@code postgresql://}, {@code jdbc:postgresql:}: recognised, fails
 *       with "not supported yet" (a PostgreSQL {@link SqlQueries} dialect is the planned addition).
 *   <li>anything else fails naming the scheme only (a URL may carry a password).
 * </ul>
 *
 * <h2>SQLite concurrency</h2>
 * The SQLite store uses a pool of exactly <b>one</b> connection: every statement of the process is
 * serialised through it, so writers inside qbridge never meet {@code SQLITE_BUSY}, and each
 * statement (all counter updates are single statements) is atomic. Reads are point lookups on a
 * small table, so one connection is not a bottleneck next to the upstream calls. In addition the
 * JDBC URL gets {@code journal_mode=WAL}, {@code busy_timeout=5000} and {@code synchronous=NORMAL}
 * parameters (unless already given), which sqlite-jdbc applies when it opens <i>each</i>
 * connection: a pool that reconnects, a larger pool, or another process (the {@code sqlite3}
 * shell, a backup, a second gateway) waits up to 5 s for the lock instead of failing, and readers
 * in other processes do not block the writer.
 *
 * <p>{@code synchronous=NORMAL} is SQLite's recommended setting for WAL: commits are not fsynced
 * (a write costs ~0.3 ms instead of several ms here), the file can never be corrupted, and only an
 * OS crash or power cut (not a process crash) can lose the last commits, i.e. a few counter
 * updates. The one write that must survive, a refresh result (the OIDC server may have rotated the
 * refresh token), is followed by a WAL checkpoint, which fsyncs.
 */
public final class AccountStores {

  /** One connection: the single writer (see class comment). */
  static final int SQLITE_POOL_SIZE = 1;
  /** Applied by sqlite-jdbc on every connection it opens. */
  static final Map<String, String> SQLITE_URL_PRAGMAS = sqlitePragmas();

  private AccountStores() {}

  /**
   * Opens the store named by {@code databaseUrl} (DATABASE_URL): schema created or migrated, writability
   * checked. Fails with a {@link StoreException} whose message says what is wrong. Call from the
   * context that will use the store (its pool closes with that verticle).
   */
  public static Future<AccountStore> create(Vertx vertx, String databaseUrl) {
    String url = databaseUrl == null ? "" : databaseUrl.trim();
    String lower = url.toLowerCase(Locale.ROOT);
    if (url.isEmpty()) {
      return Future.failedFuture(new StoreException("DATABASE_URL is empty; expected e.g. jdbc:sqlite:data.sqlite3"));
    }
    if (lower.startsWith("jdbc:sqlite:")) return openSqlite(vertx, url, SQLITE_POOL_SIZE);
    if (lower.startsWith("postgres://") || lower.startsWith("postgresql://") || lower.startsWith("jdbc:postgresql:")) {
      return Future.failedFuture(new StoreException(
          "PostgreSQL account stores are not supported yet; use DATABASE_URL=jdbc:sqlite:<file>"));
    }
    return Future.failedFuture(new StoreException("Unsupported DATABASE_URL scheme '" + scheme(lower)
        + "'; supported: jdbc:sqlite:<file>"));
  }

  /** SQLite with an explicit pool size (tests use more than one connection to check the pragmas). */
  static Future<AccountStore> openSqlite(Vertx vertx, String url, int poolSize) {
    return JdbcAccountStore.open(vertx, sqliteUrlWithPragmas(url), poolSize, SqlQueries.sqlite(),
        "'" + sqlitePath(url) + "'").recover(AccountStores::withSqliteHint);
  }

  private static Future<AccountStore> withSqliteHint(Throwable err) {
    String m = String.valueOf(err.getMessage());
    String hint = m.contains("SQLITE_CANTOPEN") ? " (check that the directory exists and is writable)"
        : m.contains("SQLITE_READONLY") ? " (the file or its directory is read-only)" : "";
    return Future.failedFuture(hint.isEmpty() ? err : new StoreException(m + hint, err.getCause()));
  }

  /** Appends each of {@link #SQLITE_URL_PRAGMAS} not already present in the URL's query string. */
  static String sqliteUrlWithPragmas(String url) {
    int q = url.indexOf('?');
    String query = q < 0 ? "" : url.substring(q + 1).toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(url);
    String sep = q < 0 ? "?" : (url.endsWith("?") || url.endsWith("&") ? "" : "&");
    for (Map.Entry<String, String> p : SQLITE_URL_PRAGMAS.entrySet()) {
      if (hasParam(query, p.getKey())) continue;
      out.append(sep).append(p.getKey()).append('=').append(p.getValue());
      sep = "&";
    }
    return out.toString();
  }

  private static boolean hasParam(String query, String name) {
    for (String part : query.split("&")) {
      if (part.equals(name) || part.startsWith(name + "=")) return true;
    }
    return false;
  }

  private static String sqlitePath(String url) {
    String rest = url.substring("jdbc:sqlite:".length());
    int q = rest.indexOf('?');
    return q < 0 ? rest : rest.substring(0, q);
  }

  private static String scheme(String lowerUrl) {
    int colon = lowerUrl.indexOf(':');
    if (colon < 0) return lowerUrl.length() > 20 ? lowerUrl.substring(0, 20) + "…" : lowerUrl;
    if (lowerUrl.startsWith("jdbc:")) {
      int second = lowerUrl.indexOf(':', 5);
      return second < 0 ? "jdbc" : lowerUrl.substring(0, second);
    }
    return lowerUrl.substring(0, colon);
  }

  private static Map<String, String> sqlitePragmas() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("journal_mode", "WAL");
    m.put("busy_timeout", "5000");
    m.put("synchronous", "NORMAL");
    return Collections.unmodifiableMap(m);
  }
}
