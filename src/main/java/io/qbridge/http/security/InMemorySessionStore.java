package io.qbridge.http.security;

import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sessions in this process's memory (a restart signs everyone out). Thread-safe: one instance is
 * created by {@code QBridge} and shared by every HTTP verticle instead of one map per verticle,
 * which would make a session valid on one event loop only; a plain concurrent map is cheaper than
 * a bus round trip to a session verticle for what is one hash lookup per admin request.
 *
 * <p>Expired sessions are dropped when looked up and swept when the map has doubled since the last
 * sweep, so memory stays bounded by the sessions alive within one lifetime.
 */
public final class InMemorySessionStore implements SessionStore {

  private static final int ID_BYTES = 32;

  private final Timekeeper time;
  private final Duration idleTimeout;
  private final Duration maxLifetime;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private volatile int sweepAt = 1024;

  public InMemorySessionStore(Timekeeper time, Duration idleTimeout, Duration maxLifetime) {
    this.time = time;
    this.idleTimeout = idleTimeout;
    this.maxLifetime = maxLifetime;
  }

  @Override
  public Future<Session> create(String clientAddress) {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    Instant now = time.now();
    Session session = new Session(id, now, now, clientAddress);
    sessions.put(id, session);
    if (sessions.size() >= sweepAt) sweep(now);
    return Future.succeededFuture(session);
  }

  @Override
  public Future<Optional<Session>> find(String id) {
    if (id == null) return Future.succeededFuture(Optional.empty());
    Instant now = time.now();
    Session found = sessions.computeIfPresent(id, (k, s) -> expired(s, now) ? null
        : new Session(s.id(), s.createdAt(), now, s.clientAddress()));
    return Future.succeededFuture(Optional.ofNullable(found));
  }

  @Override
  public Future<Void> delete(String id) {
    if (id != null) sessions.remove(id);
    return Future.succeededFuture();
  }

  private boolean expired(Session s, Instant now) {
    return !now.isBefore(s.lastUsedAt().plus(idleTimeout)) || !now.isBefore(s.createdAt().plus(maxLifetime));
  }

  private void sweep(Instant now) {
    sessions.values().removeIf(s -> expired(s, now));
    sweepAt = Math.max(1024, sessions.size() * 2);
  }
}
