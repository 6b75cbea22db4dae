package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.store.Database;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device-login session table, one suite for every engine (and the in-memory stand-in the
 * state-machine tests use): "two instances" are two stores on one fresh database.
 */
@ExtendWith(VertxExtension.class)
abstract class DeviceLoginStoreContract {

  static final long T0 = 1_800_000_000_000L;

  /** Two stores on one fresh database (or one shared in-memory store twice). */
  abstract DeviceLoginStore[] openTwo(Vertx vertx);

  /** Closes what {@link #openTwo} opened. */
  void closeAll() {}

  DeviceLoginStore a;
  DeviceLoginStore b;

  @BeforeEach
  void open(Vertx vertx) {
    DeviceLoginStore[] two = openTwo(vertx);
    a = two[0];
    b = two[1];
  }

  @AfterEach
  void close() {
    closeAll();
  }

  static DeviceLoginStore.Row pending(String authId, String poller, long expiresAt, long pollUntil) {
    return new DeviceLoginStore.Row(authId, "läbel 'q'", true, "cid", "secret", "device-code", 1000, expiresAt, "pending",
        null, null, poller, pollUntil, 0);
  }

  @Test
  void aSessionStartedOnOneInstanceIsReadOnTheOther() {
    a.insert(pending("s1", "A", T0 + 600_000, T0 + 30_000)).await();
    DeviceLoginStore.Row row = b.find("s1").await().orElseThrow();
    assertThat(row).isEqualTo(pending("s1", "A", T0 + 600_000, T0 + 30_000));
    assertThat(b.find("nope").await()).isEmpty();
    assertThat(b.countPending(T0).await()).isEqualTo(1);
    assertThat(b.countPending(T0 + 600_000).await()).as("its code expired").isZero();
  }

  @Test
  void onlyThePollerSettlesAndTheSecretsGo() {
    a.insert(pending("s1", "A", T0 + 600_000, T0 + 30_000)).await();
    JsonObject account = new JsonObject().put("id", "acc-1").put("label", "x");
    assertThat(b.settle("s1", "B", "completed", null, account, T0 + 5).await()).as("not B's").isFalse();
    assertThat(a.settle("s1", "A", "completed", null, account, T0 + 5).await()).isTrue();
    assertThat(a.settle("s1", "A", "failed", "access_denied", null, T0 + 6).await()).as("settled once").isFalse();

    DeviceLoginStore.Row row = b.find("s1").await().orElseThrow();
    assertThat(row.status()).isEqualTo("completed");
    assertThat(row.account()).isEqualTo(account);
    assertThat(row.settledAtMs()).isEqualTo(T0 + 5);
    assertThat(List.of(String.valueOf(row.clientId()), String.valueOf(row.clientSecret()), String.valueOf(row.deviceCode())))
        .containsOnly("null");
    assertThat(b.countPending(T0 + 6).await()).isZero();
  }

  @Test
  void aDeadPollersSessionIsAdoptedByExactlyOneInstance() {
    a.insert(pending("s1", "A", T0 + 600_000, T0 + 30_000)).await();
    assertThat(b.adopt("B", T0 + 29_999, T0 + 60_000).await()).as("A's lease still runs").isEmpty();
    a.renew("A", T0 + 40_000).await();
    assertThat(b.adopt("B", T0 + 39_999, T0 + 70_000).await()).as("renewed").isEmpty();

    Future<List<DeviceLoginStore.Row>> byA2 = a.adopt("A2", T0 + 40_000, T0 + 70_000);
    Future<List<DeviceLoginStore.Row>> byB = b.adopt("B", T0 + 40_000, T0 + 70_000);
    Future.all(byA2, byB).await();
    List<DeviceLoginStore.Row> won = new java.util.ArrayList<>(byA2.result());
    won.addAll(byB.result());
    assertThat(won).hasSize(1);
    DeviceLoginStore.Row adopted = won.get(0);
    assertThat(adopted.clientSecret()).as("the adopter polls with the secrets").isEqualTo("secret");
    assertThat(adopted.pollUntilMs()).isEqualTo(T0 + 70_000);
    assertThat(a.settle("s1", "A", "failed", "x", null, T0 + 41_000).await()).as("the old poller lost it").isFalse();
    assertThat(b.settle("s1", adopted.poller(), "expired", "expired_token", null, T0 + 41_000).await()).isTrue();
  }

  @Test
  void abandonedSessionsAreAdoptedAtOnceAndExpiredOnesNever() {
    a.insert(pending("s1", "A", T0 + 600_000, T0 + 30_000)).await();
    a.insert(pending("s2", "A", T0 + 1_000, T0 + 30_000)).await();
    a.abandon("A").await();
    List<DeviceLoginStore.Row> adopted = b.adopt("B", T0 + 1_000, T0 + 31_000).await();
    assertThat(adopted).extracting(DeviceLoginStore.Row::authId).containsExactly("s1");
  }

  @Test
  void finishedSessionsAreDeletedAfterTheCutoff() {
    a.insert(pending("done", "A", T0 + 600_000, T0 + 30_000)).await();
    a.settle("done", "A", "failed", "access_denied", null, T0 + 10).await();
    a.insert(pending("lapsed", "A", T0 + 20, T0 + 30_000)).await();
    a.insert(pending("live", "A", T0 + 600_000, T0 + 30_000)).await();
    b.deleteFinishedBefore(T0 + 10).await();
    assertThat(a.find("done").await()).isPresent();
    b.deleteFinishedBefore(T0 + 21).await();
    assertThat(a.find("done").await()).isEmpty();
    assertThat(a.find("lapsed").await()).isEmpty();
    assertThat(a.find("live").await()).isPresent();
  }

  /** Two stores on one database opened at once migrate it once. */
  static DeviceLoginStore[] openTwoSql(Vertx vertx, String url, List<Database> opened) {
    Database one = Database.open(vertx, url, 1).await();
    Database two = Database.open(vertx, url, 1).await();
    opened.add(one);
    opened.add(two);
    Future<DeviceLoginStore> first = SqlDeviceLoginStore.open(one);
    Future<DeviceLoginStore> second = SqlDeviceLoginStore.open(two);
    Future.all(first, second).await();
    return new DeviceLoginStore[] {first.result(), second.result()};
  }
}
