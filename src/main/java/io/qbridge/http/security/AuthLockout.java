package io.qbridge.http.security;

import io.vertx.core.Future;

/**
 * Brute-force brake for admin authentication. Failed attempts are counted per client address in a
 * window that opens with the first failure; once {@code maxFailures} are reached, the address is
 * refused (429) until the window ends, whatever it presents, correct keys included, so guessing
 * stays at 10 tries a minute. Every instance sharing the database counts into the same windows
 * ({@link SqlAuthLockout}); {@link InMemoryAuthLockout} counts in one process (tests).
 *
 * <p>Implementations are safe to call from any event loop; futures complete on the caller's context.
 */
public interface AuthLockout {

  /** Seconds (rounded up, at least 1) until {@code client} may try again; 0 when not locked. */
  Future<Long> retryAfterSeconds(String client);

  /** Counts one failed authentication from {@code client}. */
  Future<Void> recordFailure(String client);

  /** The key failures are counted under (one for clients without an address). */
  static String key(String client) {
    return client == null ? "-" : client;
  }
}
