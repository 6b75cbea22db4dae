package io.qbridge.store;

import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code DATABASE_URL}, parsed: which engine, how to connect, and a name for logs and errors that
 * never contains the password.
 *
 * <ul>
 *   <li>{@code jdbc:sqlite:<file>[?pragma=value...]}: SQLite; {@link #SQLITE_PRAGMAS} are appended
 *       unless given (see {@link Database}).
 *   <li>{@code postgres://user:pass@host:port/db?params}, {@code postgresql://...} (libpq's form) and
 *       {@code jdbc:postgresql://host:port/db?user=..&password=..} (pgjdbc's form). Parameters:
 *       {@code user}, {@code password}, {@code sslmode} (disable, allow, prefer, require, verify-ca,
 *       verify-full; {@code require} encrypts without verifying, as in libpq, unless
 *       {@code sslrootcert} is given), {@code sslrootcert} (a PEM file), pgjdbc's {@code ssl=true}
 *       (= verify-full), {@code application_name} (default {@code qbridge}),
 *       {@code currentSchema}/{@code search_path}, {@code connect_timeout}/{@code connectTimeout}
 *       (seconds), {@code host} (a unix socket directory when the authority has no host). Any
 *       other parameter is refused by name, so a typo does not go unnoticed.
 * </ul>
 */
public final class DatabaseUrl {

  /** Applied by sqlite-jdbc on every connection it opens (see {@link Database}). */
  public static final Map<String, String> SQLITE_PRAGMAS = sqlitePragmas();
  static final int DEFAULT_PG_PORT = 5432;
  static final int DEFAULT_CONNECT_TIMEOUT_MS = 5000;

  private final Engine engine;
  private final String displayName;
  private final String sqliteJdbcUrl;
  private final PgConnectOptions postgres;
  private final int connectTimeoutMs;

  private DatabaseUrl(Engine engine, String displayName, String sqliteJdbcUrl, PgConnectOptions postgres,
      int connectTimeoutMs) {
    this.engine = engine;
    this.displayName = displayName;
    this.sqliteJdbcUrl = sqliteJdbcUrl;
    this.postgres = postgres;
    this.connectTimeoutMs = connectTimeoutMs;
  }

  /** Whether {@code url} names PostgreSQL (in any of the accepted forms). */
  public static boolean isPostgres(String url) {
    String lower = url == null ? "" : url.trim().toLowerCase(Locale.ROOT);
    return lower.startsWith("postgres://") || lower.startsWith("postgresql://") || lower.startsWith("jdbc:postgresql:");
  }

  /** Parses {@code url}; a {@link DatabaseException} says what is wrong without repeating the URL. */
  public static DatabaseUrl parse(String url) {
    String s = url == null ? "" : url.trim();
    if (s.isEmpty()) throw new DatabaseException("DATABASE_URL is empty; expected e.g. jdbc:sqlite:data.sqlite3");
    String lower = s.toLowerCase(Locale.ROOT);
    if (lower.startsWith("jdbc:sqlite:")) {
      return new DatabaseUrl(Engine.SQLITE, "'" + sqlitePath(s) + "'", sqliteWithPragmas(s), null, 0);
    }
    if (isPostgres(s)) return parsePostgres(lower.startsWith("jdbc:") ? s.substring("jdbc:".length()) : s);
    throw new DatabaseException("Unsupported DATABASE_URL scheme '" + scheme(lower)
        + "'; supported: jdbc:sqlite:<file>, postgres://user:password@host:port/database");
  }

  public Engine engine() {
    return engine;
  }

  /** For logs and errors: the SQLite path, or {@code postgres://user@host:port/db} (no password). */
  public String displayName() {
    return displayName;
  }

  /** SQLite only: the JDBC URL with the pragmas. */
  String sqliteJdbcUrl() {
    return sqliteJdbcUrl;
  }

  /** PostgreSQL only: a fresh copy of the connect options. */
  public PgConnectOptions postgresOptions() {
    return new PgConnectOptions(postgres);
  }

  int connectTimeoutMs() {
    return connectTimeoutMs;
  }

  // ---- PostgreSQL ----

  private static DatabaseUrl parsePostgres(String s) {
    URI uri;
    try {
      uri = new URI(s);
    } catch (URISyntaxException e) {
      // the reason only: URISyntaxException's message repeats the input, password included
      throw new DatabaseException("DATABASE_URL is not a valid postgres:// URL (" + e.getReason()
          + "; percent-encode special characters of the user name and password)");
    }
    PgConnectOptions o = new PgConnectOptions().setPort(DEFAULT_PG_PORT).setUser("postgres");
    // the authority by hand: URI leaves host and user info empty for names such as docker's "qbridge_db"
    String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      int colon = userInfo.indexOf(':');
      o.setUser(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
      if (colon >= 0) o.setPassword(decode(userInfo.substring(colon + 1)));
    }
    String hostPort = authority.substring(at + 1);
    int portColon = hostPort.lastIndexOf(':');
    if (portColon > hostPort.lastIndexOf(']')) {
      o.setPort(positive("port", hostPort.substring(portColon + 1)));
      hostPort = hostPort.substring(0, portColon);
    }
    if (!hostPort.isEmpty()) o.setHost(decode(hostPort.replace("[", "").replace("]", "")));
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    String database = decode(path.startsWith("/") ? path.substring(1) : path);
    if (database.isEmpty()) throw new DatabaseException("DATABASE_URL names no database; expected postgres://user:password@host:port/database");
    o.setDatabase(database);

    Map<String, String> props = new HashMap<>();
    props.put("application_name", "qbridge");
    props.put("client_min_messages", "warning"); // no NOTICE per "CREATE ... IF NOT EXISTS" in the log
    int connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS;
    String sslMode = null;
    String rootCert = null;
    for (Map.Entry<String, String> p : query(uri.getRawQuery()).entrySet()) {
      String v = p.getValue();
      switch (p.getKey()) {
        case "user" -> o.setUser(v);
        case "password" -> o.setPassword(v);
        case "host" -> o.setHost(v);
        case "port" -> o.setPort(positive(p.getKey(), v));
        case "sslmode" -> sslMode = v.toLowerCase(Locale.ROOT);
        case "ssl" -> sslMode = "true".equalsIgnoreCase(v) ? "verify-full" : "disable";
        case "sslrootcert" -> rootCert = v;
        case "application_name", "ApplicationName" -> props.put("application_name", v);
        case "currentSchema", "search_path" -> props.put("search_path", v);
        case "connect_timeout", "connectTimeout" -> connectTimeoutMs = positive(p.getKey(), v) * 1000;
        default -> throw new DatabaseException("DATABASE_URL parameter '" + p.getKey() + "' is not supported; supported:"
            + " user, password, host, port, sslmode, sslrootcert, ssl, application_name, currentSchema, connect_timeout");
      }
    }
    if (o.getHost() == null || o.getHost().isEmpty()) o.setHost("localhost");
    o.setProperties(props);
    applySsl(o, sslMode, rootCert);
    String name = "postgres://" + o.getUser() + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
    return new DatabaseUrl(Engine.POSTGRES, name, null, o, connectTimeoutMs);
  }

  private static void applySsl(PgConnectOptions o, String mode, String rootCert) {
    if (mode == null) return;
    SslMode ssl = switch (mode) {
      case "disable" -> SslMode.DISABLE;
      case "allow" -> SslMode.ALLOW;
      case "prefer" -> SslMode.PREFER;
      case "require" -> SslMode.REQUIRE;
      case "verify-ca" -> SslMode.VERIFY_CA;
      case "verify-full" -> SslMode.VERIFY_FULL;
      default -> throw new DatabaseException("DATABASE_URL sslmode '" + mode
          + "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
    };
    o.setSslMode(ssl);
    if (ssl == SslMode.DISABLE) return;
    ClientSSLOptions tls = new ClientSSLOptions();
    if (rootCert != null) {
      tls.setTrustOptions(new PemTrustOptions().addCertPath(rootCert));
    } else if (ssl != SslMode.VERIFY_CA && ssl != SslMode.VERIFY_FULL) {
      tls.setTrustAll(true); // libpq: allow/prefer/require encrypt but do not verify without a root certificate
    }
    tls.setHostnameVerificationAlgorithm(ssl == SslMode.VERIFY_FULL ? "HTTPS" : "");
    o.setSslOptions(tls);
  }

  private static Map<String, String> query(String raw) {
    if (raw == null || raw.isEmpty()) return Map.of();
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : raw.split("&")) {
      if (part.isEmpty()) continue;
      int eq = part.indexOf('=');
      out.put(decode(eq < 0 ? part : part.substring(0, eq)), eq < 0 ? "" : decode(part.substring(eq + 1)));
    }
    return out;
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n > 0) return n;
    } catch (NumberFormatException ignored) {
      // below
    }
    throw new DatabaseException("DATABASE_URL parameter '" + name + "' must be a positive integer");
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  // ---- SQLite ----

  /** Appends each of {@link #SQLITE_PRAGMAS} not already present in the URL's query string. */
  public static String sqliteWithPragmas(String url) {
    int q = url.indexOf('?');
    String query = q < 0 ? "" : url.substring(q + 1).toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(url);
    String sep = q < 0 ? "?" : (url.endsWith("?") || url.endsWith("&") ? "" : "&");
    for (Map.Entry<String, String> p : SQLITE_PRAGMAS.entrySet()) {
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
