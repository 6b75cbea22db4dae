package io.qbridge.http.security;

import io.qbridge.store.Database;
import io.qbridge.store.Migration;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Console sessions in the shared database, so a session signed in on one instance is valid on all
 * of them and a sign-out anywhere ends it everywhere. The table holds the SHA-256 of each session
 * id, never the id itself: someone who reads the database (or a backup) cannot take over a
 * session. A lookup is one conditional update (restarting the idle timer only if the session is
 * alive) and one read; sign-in also deletes the sessions that ended.
 */
public final class SqlSessionStore implements SessionStore {

  static final String COMPONENT = "console_sessions";
  static final List<Migration> MIGRATIONS = List.of(Migration.of(1, "console sessions shared by the instances",
      engine -> List.of(
          "CREATE TABLE IF NOT EXISTS console_sessions (id_hash TEXT PRIMARY KEY, created_ms BIGINT NOT NULL,"
              + " last_used_ms BIGINT NOT NULL, client_address TEXT)",
          "CREATE INDEX IF NOT EXISTS console_sessions_last_used ON console_sessions (last_used_ms)")));

  /** Params: id hash, created, last used, client address. */
  static final String INSERT = "INSERT INTO console_sessions (id_hash, created_ms, last_used_ms, client_address)"
      + " VALUES (?, ?, ?, ?)";
  /** Params: now, id hash, idle-before, created-before. One row changed when the session is alive. */
  static final String TOUCH = "UPDATE console_sessions SET last_used_ms = ?"
      + " WHERE id_hash = ? AND last_used_ms > ? AND created_ms > ?";
  /** Params: id hash. */
  static final String FIND = "SELECT created_ms, last_used_ms, client_address FROM console_sessions WHERE id_hash = ?";
  /** Params: id hash. */
  static final String DELETE = "DELETE FROM console_sessions WHERE id_hash = ?";
  /** Params: idle-before, created-before. */
  static final String DELETE_ENDED = "DELETE FROM console_sessions WHERE last_used_ms <= ? OR created_ms <= ?";

  private static final int ID_BYTES = 32;

  private final Database db;
  private final Timekeeper time;
  private final long idleMs;
  private final long lifetimeMs;
  private final SecureRandom random = new SecureRandom();

  private SqlSessionStore(Database db, Timekeeper time, Duration idleTimeout, Duration maxLifetime) {
    this.db = db;
    this.time = time;
    this.idleMs = idleTimeout.toMillis();
    this.lifetimeMs = maxLifetime.toMillis();
  }

  /** Creates the table if missing (a migration), then the store. */
  public static Future<SessionStore> open(Database db, Timekeeper time, Duration idleTimeout, Duration maxLifetime) {
    return db.migrate(COMPONENT, MIGRATIONS).map(v -> new SqlSessionStore(db, time, idleTimeout, maxLifetime));
  }

  @Override
  public Future<Session> create(String clientAddress) {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = time.now();
    long nowMs = now.toEpochMilli();
    return db.preparedQuery(DELETE_ENDED).execute(Tuple.of(nowMs - idleMs, nowMs - lifetimeMs))
        .compose(swept -> db.preparedQuery(INSERT).execute(Tuple.of(hash(id), nowMs, nowMs, clientAddress)))
        .map(inserted -> new Session(id, now, now, clientAddress));
  }

  @Override
  public Future<Optional<Session>> find(String id) {
    if (id == null) return Future.succeededFuture(Optional.empty());
    long now = time.now().toEpochMilli();
    String hash = hash(id);
    return db.preparedQuery(TOUCH).execute(Tuple.of(now, hash, now - idleMs, now - lifetimeMs)).compose(touched -> {
      if (touched.rowCount() == 0) return Future.succeededFuture(Optional.<Session>empty());
      return db.preparedQuery(FIND).execute(Tuple.of(hash)).map(rows -> {
        for (io.vertx.sqlclient.Row r : rows) {
          return Optional.of(new Session(id, Instant.ofEpochMilli(((Number) r.getValue("created_ms")).longValue()),
              Instant.ofEpochMilli(((Number) r.getValue("last_used_ms")).longValue()), r.getString("client_address")));
        }
        return Optional.<Session>empty(); // signed out between the two statements
      });
    });
  }

  @Override
  public Future<Void> delete(String id) {
    if (id == null) return Future.succeededFuture();
    return db.preparedQuery(DELETE).execute(Tuple.of(hash(id))).mapEmpty();
  }

  /** What the table keeps of a session id: SHA-256, base64url. */
  static String hash(String id) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
