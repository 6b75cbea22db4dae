package io.qbridge.http.security;

import java.time.Duration;

/** {@link SecurityStoreContract} in memory: "another instance" is the same object (one process). */
class InMemorySecurityStoreTest extends SecurityStoreContract {

  private AuthLockout lockout;
  private SessionStore sessions;

  @Override
  AuthLockout lockout() {
    if (lockout == null) lockout = new InMemoryAuthLockout(10, Duration.ofSeconds(60), clock);
    return lockout;
  }

  @Override
  SessionStore sessions() {
    if (sessions == null) sessions = new InMemorySessionStore(clock, Duration.ofHours(8), Duration.ofHours(24));
    return sessions;
  }
}
