package io.qbridge.http.security;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where console sessions live. One store serves the whole process (every HTTP verticle), so a
 * session made on one event loop is valid on all of them. Futures, so a store backed by the shared
 * database (scale-out) fits the same interface; implementations must be safe to call from any
 * event loop.
 */
public interface SessionStore {

  /** A new session for a client that just proved the admin key. */
  Future<Session> create(String clientAddress);

  /**
   * The live session with this id, its idle timer restarted; empty when unknown, signed out, idle
   * for longer than the idle timeout or older than the absolute lifetime.
   */
  Future<Optional<Session>> find(String id);

  /** Ends the session (sign-out); unknown ids are fine. */
  Future<Void> delete(String id);
}
