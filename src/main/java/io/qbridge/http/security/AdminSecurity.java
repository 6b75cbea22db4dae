package io.qbridge.http.security;

import io.qbridge.audit.AuditClient;
import io.qbridge.config.AddressRange;
import io.qbridge.config.AppConfig;
import io.qbridge.store.Database;
import io.qbridge.time.Timekeeper;
import io.qbridge.web.ErrorShape;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;

/**
 * Everything that decides who may use the admin surface ({@code /v2/*}, the console's API, and
 * whatever else is put behind {@link #guard}, such as /metrics), in two modes:
 * <ul>
 *   <li><b>dev mode</b> (ADMIN_KEY empty): only direct loopback peers (see {@link Peers}), naming
 *       this machine in {@code Host}; nothing to sign in to;</li>
 *   <li><b>key mode</b>: {@code Authorization: Bearer <ADMIN_KEY>} or {@code x-admin-key} for
 *       scripts, or a console session cookie obtained by signing in with the key.</li>
 * </ul>
 * Failed key checks count towards the per-address {@link AuthLockout}.
 *
 * <p>One instance per process, opened by {@code QBridge} and handed to every HTTP verticle: the
 * session store and the lockout counters must be the same on every event loop. Both live in the
 * shared database ({@link SqlSessionStore}, {@link SqlAuthLockout}), so they are also the same on
 * every qbridge instance using it. Thread-safe.
 */
public final class AdminSecurity {

  /** The console session cookie. */
  public static final String COOKIE = "qbridge_session";
  /** The audit log's name for a script that presented ADMIN_KEY. */
  public static final String KEY_ACTOR = "admin-key";
  /** Failed admin authentications per client address before it is refused ... */
  public static final int MAX_FAILURES = 10;
  /** ... for the rest of this window. */
  public static final Duration FAILURE_WINDOW = Duration.ofSeconds(60);

  private final byte[] keyDigest;
  private final SessionStore sessions;
  private final AuthLockout lockout;
  private final List<AddressRange> trustedProxies;
  private final long cookieMaxAgeSeconds;
  private final boolean apiKeyRequired;
  /** The database behind the stores, closed with this; null for in-memory stores. */
  private final Database database;

  public AdminSecurity(String adminKey, SessionStore sessions, AuthLockout lockout, List<String> trustedProxies,
      long cookieMaxAgeSeconds, boolean apiKeyRequired) {
    this(adminKey, sessions, lockout, trustedProxies, cookieMaxAgeSeconds, apiKeyRequired, null);
  }

  private AdminSecurity(String adminKey, SessionStore sessions, AuthLockout lockout, List<String> trustedProxies,
      long cookieMaxAgeSeconds, boolean apiKeyRequired, Database database) {
    this.database = database;
    this.keyDigest = adminKey == null || adminKey.isEmpty() ? null : sha256(adminKey);
    this.sessions = sessions;
    this.lockout = lockout;
    this.trustedProxies = trustedProxies.stream().map(AddressRange::parse).toList();
    this.cookieMaxAgeSeconds = cookieMaxAgeSeconds;
    this.apiKeyRequired = apiKeyRequired;
  }

  /**
   * The process's admin security from the configuration, sessions and lockouts in the database of
   * DATABASE_URL (tables created if missing); {@link #close} closes that database.
   */
  public static Future<AdminSecurity> open(Vertx vertx, AppConfig config, Timekeeper time) {
    AppConfig.Admin admin = config.admin();
    return Database.open(vertx, config.pool().databaseUrl(), 1, "admin-security").compose(db -> {
      Future<SessionStore> sessions = SqlSessionStore.open(db, time,
          Duration.ofSeconds(admin.sessionIdleTimeoutSeconds()), Duration.ofSeconds(admin.sessionMaxLifetimeSeconds()));
      Future<AuthLockout> lockout = SqlAuthLockout.open(db, MAX_FAILURES, FAILURE_WINDOW, time);
      return Future.all(sessions, lockout)
          .map(v -> from(config, sessions.result(), lockout.result(), db))
          .recover(err -> db.close().transform(ignored -> Future.failedFuture(err)));
    });
  }

  /** Admin security with sessions and lockouts in this process's memory (tests that need no database). */
  public static AdminSecurity inMemory(AppConfig config, Timekeeper time) {
    AppConfig.Admin admin = config.admin();
    return from(config, new InMemorySessionStore(time, Duration.ofSeconds(admin.sessionIdleTimeoutSeconds()),
        Duration.ofSeconds(admin.sessionMaxLifetimeSeconds())), new InMemoryAuthLockout(MAX_FAILURES, FAILURE_WINDOW, time),
        null);
  }

  private static AdminSecurity from(AppConfig config, SessionStore sessions, AuthLockout lockout, Database db) {
    return new AdminSecurity(config.http().adminKey(), sessions, lockout, config.admin().trustedProxies(),
        config.admin().sessionMaxLifetimeSeconds(), config.http().authRequired(), db);
  }

  /** Closes the database of {@link #open} (nothing for in-memory stores). */
  public Future<Void> close() {
    return database == null ? Future.succeededFuture() : database.close();
  }

  /** One line for the startup log saying which mode is on and what it means. */
  public static String modeDescription(AppConfig config) {
    return config.http().adminEnabled()
        ? "admin: ADMIN_KEY is set: the admin API /v2 and the console need the key (console sign-in,"
            + " 'Authorization: Bearer' or 'x-admin-key')"
        : "admin: ADMIN_KEY is empty (dev mode): the admin API /v2, the console's API and /metrics answer only"
            + " direct connections from this machine (loopback, no proxy headers); set ADMIN_KEY to manage"
            + " qbridge from anywhere else";
  }

  /**
   * The guard to put in front of an admin route; failures are written in {@code shape}, and a wrong
   * ADMIN_KEY is recorded in the audit log through {@code audit}.
   */
  public Handler<RoutingContext> guard(ErrorShape shape, AuditClient audit) {
    return new AdminGuard(this, shape, audit);
  }

  public boolean devMode() {
    return keyDigest == null;
  }

  /** True when the chat APIs want a client key (OPENAI_KEYS set): the console then asks for one. */
  boolean apiKeyRequired() {
    return apiKeyRequired;
  }

  SessionStore sessions() {
    return sessions;
  }

  AuthLockout lockout() {
    return lockout;
  }

  /** Constant-time in content and length: both sides are compared as SHA-256 digests. */
  boolean keyMatches(String presented) {
    return keyDigest != null && presented != null && MessageDigest.isEqual(keyDigest, sha256(presented));
  }

  /** {@code x-admin-key}, else {@code Authorization: Bearer}; null when neither. */
  static String presentedKey(HttpServerRequest request) {
    String key = request.getHeader("x-admin-key");
    if (key != null && !key.isBlank()) return key.trim();
    String auth = request.getHeader("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
    return null;
  }

  /**
   * Who passed the admin guard on this request, as the audit log names it: {@code loopback} (dev
   * mode), {@code admin-key} (a script) or {@code session:<tag>} (see {@link #sessionActor});
   * {@code unknown} on a route the guard does not cover.
   */
  public static String auditActor(RoutingContext ctx) {
    String actor = ctx.get(AdminGuard.AUDIT_ACTOR);
    return actor == null ? "unknown" : actor;
  }

  /**
   * {@code session:} and the first 8 hex digits of the SHA-256 of a session id: the same for every
   * entry of one session (sign-in to sign-out), and useless to anyone reading the log (the id is
   * the session's bearer secret; neither it nor a prefix of it is ever written down).
   */
  static String sessionActor(String sessionId) {
    byte[] digest = sha256(sessionId);
    StringBuilder tag = new StringBuilder("session:");
    for (int i = 0; i < 4; i++) tag.append(String.format("%02x", digest[i] & 0xff));
    return tag.toString();
  }

  /**
   * The address lockouts are counted against (and the audit log records): the TCP peer, or, when
   * the peer is a trusted proxy, the last {@code X-Forwarded-For} hop that is not itself a trusted proxy.
   */
  public String clientAddress(HttpServerRequest request) {
    String peer = Peers.peerAddress(request);
    if (!isTrustedProxy(peer)) return peer;
    String forwarded = request.getHeader("x-forwarded-for");
    if (forwarded == null) return peer;
    String[] hops = forwarded.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (!hop.isEmpty() && !isTrustedProxy(hop)) return hop;
    }
    return peer;
  }

  /** The request reached us over TLS, directly or (said by a trusted proxy) {@code X-Forwarded-Proto: https}. */
  boolean viaTls(HttpServerRequest request) {
    if (request.isSSL()) return true;
    String proto = request.getHeader("x-forwarded-proto");
    return proto != null && isTrustedProxy(Peers.peerAddress(request))
        && proto.split(",")[0].trim().equalsIgnoreCase("https");
  }

  private boolean isTrustedProxy(String address) {
    for (AddressRange range : trustedProxies) {
      if (range.contains(address)) return true;
    }
    return false;
  }

  static String sessionId(HttpServerRequest request) {
    Cookie cookie = request.getCookie(COOKIE);
    return cookie == null || cookie.getValue().isEmpty() ? null : cookie.getValue();
  }

  /** HttpOnly (no script reads it), SameSite=Strict, Path=/, Secure over TLS. */
  void setSessionCookie(HttpServerRequest request, HttpServerResponse response, String id) {
    response.addCookie(cookie(request, id).setMaxAge(cookieMaxAgeSeconds));
  }

  void clearSessionCookie(HttpServerRequest request, HttpServerResponse response) {
    response.addCookie(cookie(request, "").setMaxAge(0));
  }

  private Cookie cookie(HttpServerRequest request, String value) {
    return Cookie.cookie(COOKIE, value).setPath("/").setHttpOnly(true)
        .setSameSite(CookieSameSite.STRICT).setSecure(viaTls(request));
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
