package io.qbridge.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.time.ManualTimekeeper;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Lockout windows and session lifetimes, driven by a hand-moved clock. */
class TimedStateTest {

  private final ManualTimekeeper clock = new ManualTimekeeper(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void lockoutAfterTenFailuresForTheRestOfTheWindowOnly() {
    AuthLockout lockout = new InMemoryAuthLockout(10, Duration.ofSeconds(60), clock);
    for (int i = 0; i < 9; i++) lockout.recordFailure("10.0.0.1").await();
    assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isZero();
    clock.advance((Duration.ofSeconds(20)).toMillis());
    lockout.recordFailure("10.0.0.1").await();
    assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isEqualTo(40);
    assertThat(lockout.retryAfterSeconds("10.0.0.2").await()).isZero();
    clock.advance((Duration.ofMillis(39_500)).toMillis());
    assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isEqualTo(1);
    clock.advance((Duration.ofMillis(500)).toMillis());
    assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isZero();
    lockout.recordFailure("10.0.0.1").await(); // a new window
    assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isZero();
  }

  @Test
  void failuresSpreadOverMoreThanAWindowDoNotLock() {
    AuthLockout lockout = new InMemoryAuthLockout(10, Duration.ofSeconds(60), clock);
    for (int i = 0; i < 30; i++) {
      lockout.recordFailure("10.0.0.1").await();
      clock.advance((Duration.ofSeconds(7)).toMillis()); // at most 9 per window
      assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isZero();
    }
  }

  @Test
  void sessionIdsAreLongRandomAndUnique() {
    InMemorySessionStore store = new InMemorySessionStore(clock, Duration.ofHours(8), Duration.ofHours(24));
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = store.create("127.0.0.1").await().id();
      assertThat(id).matches("[A-Za-z0-9_-]{43}"); // 256 bits, base64url
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void idleTimeoutEndsAnUnusedSession() {
    InMemorySessionStore store = new InMemorySessionStore(clock, Duration.ofHours(8), Duration.ofHours(24));
    String id = store.create("127.0.0.1").await().id();
    clock.advance((Duration.ofHours(8).minusSeconds(1)).toMillis());
    assertThat(store.find(id).await()).isPresent(); // use restarts the idle timer
    clock.advance((Duration.ofHours(8).minusSeconds(1)).toMillis());
    assertThat(store.find(id).await()).isPresent();
    clock.advance((Duration.ofHours(8)).toMillis());
    assertThat(store.find(id).await()).isEmpty();
    assertThat(store.find(id).await()).isEmpty();
  }

  @Test
  void absoluteLifetimeEndsEvenABusySession() {
    InMemorySessionStore store = new InMemorySessionStore(clock, Duration.ofHours(8), Duration.ofHours(24));
    String id = store.create("127.0.0.1").await().id();
    for (int i = 0; i < 23; i++) {
      clock.advance((Duration.ofHours(1)).toMillis());
      assertThat(store.find(id).await()).isPresent();
    }
    clock.advance((Duration.ofHours(1)).toMillis());
    assertThat(store.find(id).await()).isEmpty();
  }

  @Test
  void deleteEndsTheSession() {
    InMemorySessionStore store = new InMemorySessionStore(clock, Duration.ofHours(8), Duration.ofHours(24));
    String id = store.create("127.0.0.1").await().id();
    store.delete(id).await();
    assertThat(store.find(id).await()).isEmpty();
    assertThat(store.find(null).await()).isEmpty();
  }
}
