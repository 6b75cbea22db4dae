package io.qbridge.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Lockout windows and session lifetimes, driven by a hand-moved clock, one suite for every store
 * ({@link InMemorySecurityStoreTest}, {@link SqliteSecurityStoreTest}, {@link PostgresSecurityStoreTest}).
 * "Two instances" are two stores on one database: what one records, the other sees.
 */
@ExtendWith(VertxExtension.class)
abstract class SecurityStoreContract {

  final ManualTimekeeper clock = new ManualTimekeeper(Instant.parse("2026-01-01T00:00:00Z"));
  Vertx vertx;

  @BeforeEach
  void keepVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A lockout of 10 failures per 60 s; each call is another instance on the same database. */
  abstract AuthLockout lockout();

  /** Sessions with an 8 h idle timeout and a 24 h lifetime; each call is another instance on the same database. */
  abstract SessionStore sessions();

  @Test
  void lockoutAfterTenFailuresForTheRestOfTheWindowOnly() {
    AuthLockout lockout = lockout();
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
    AuthLockout lockout = lockout();
    for (int i = 0; i < 30; i++) {
      lockout.recordFailure("10.0.0.1").await();
      clock.advance((Duration.ofSeconds(7)).toMillis()); // at most 9 per window
      assertThat(lockout.retryAfterSeconds("10.0.0.1").await()).isZero();
    }
  }

  @Test
  void failuresOnEveryInstanceCountIntoOneWindow() {
    AuthLockout a = lockout();
    AuthLockout b = lockout();
    for (int i = 0; i < 5; i++) {
      a.recordFailure("10.0.0.1").await();
      b.recordFailure("10.0.0.1").await();
    }
    assertThat(a.retryAfterSeconds("10.0.0.1").await()).isEqualTo(60);
    assertThat(b.retryAfterSeconds("10.0.0.1").await()).isEqualTo(60);
    assertThat(b.retryAfterSeconds(null).await()).isZero();
  }

  @Test
  void sessionIdsAreLongRandomAndUnique() {
    SessionStore store = sessions();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String id = store.create("127.0.0.1").await().id();
      assertThat(id).matches("[A-Za-z0-9_-]{43}"); // 256 bits, base64url
      ids.add(id);
    }
    assertThat(ids).hasSize(200);
  }

  @Test
  void idleTimeoutEndsAnUnusedSession() {
    SessionStore store = sessions();
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
    SessionStore store = sessions();
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
    SessionStore store = sessions();
    String id = store.create("127.0.0.1").await().id();
    store.delete(id).await();
    assertThat(store.find(id).await()).isEmpty();
    assertThat(store.find(null).await()).isEmpty();
    store.delete(null).await();
  }

  @Test
  void aSessionFromOneInstanceIsValidOnTheOtherUntilSignedOutThere() {
    SessionStore a = sessions();
    SessionStore b = sessions();
    Session made = a.create("10.1.2.3").await();
    Session seen = b.find(made.id()).await().orElseThrow();
    assertThat(seen.id()).isEqualTo(made.id());
    assertThat(seen.createdAt()).isEqualTo(made.createdAt());
    assertThat(seen.clientAddress()).isEqualTo("10.1.2.3");

    clock.advance(Duration.ofHours(7).toMillis());
    assertThat(b.find(made.id()).await()).as("use on B ...").isPresent();
    clock.advance(Duration.ofHours(7).toMillis());
    assertThat(a.find(made.id()).await()).as("... restarts the idle timer on A").isPresent();
    b.delete(made.id()).await();
    assertThat(a.find(made.id()).await()).isEmpty();
  }
}
