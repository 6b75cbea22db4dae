package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.store.Database;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two "instances" (two databases, two pools, two lease caches) on one PostgreSQL database: a write
 * on one drops the other's cache through NOTIFY (the cache TTL is an hour here, so only the
 * notification can do it), and counters stay exact when both write at once.
 */
@ExtendWith(VertxExtension.class)
class PostgresSharedStateTest {
  private static final long NO_TTL_MS = 3_600_000;

  private PostgresServer server;
  private String url;
  private final List<Database> opened = new CopyOnWriteArrayList<>();

  @BeforeEach
  void database(TestInfo test) {
    server = PostgresServer.shared();
    url = server.url(server.createDatabase("shared_" + test.getTestMethod().orElseThrow().getName()));
  }

  @AfterEach
  void close() {
    opened.forEach(db -> db.close().await());
  }

  private record Instance(Database db, CachedLeaseStore store) {}

  private Instance instance(Vertx vertx) {
    Database db = AccountStores.openDatabase(vertx, url).await();
    opened.add(db);
    CachedLeaseStore store = new CachedLeaseStore(AccountStores.create(db).await(), NO_TTL_MS, System::nanoTime);
    AccountStores.listenForChanges(db, store);
    return new Instance(db, store);
  }

  private static List<String> leasable(Instance i) {
    return i.store().findLeaseCandidates(100, Instant.now(), List.of()).await().stream().map(Account::id).toList();
  }

  private static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 5 s: " + what);
      try {
        Thread.sleep(5); // a polling interval, not a wait for the outcome
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void everyChangeOfWhoMayServeOnOneInstanceDropsTheOthersCache(Vertx vertx) {
    Instance a = instance(vertx);
    Instance b = instance(vertx);
    Account one = a.store().insert(AccountStoreContract.account("one", "at")).await();
    await("B sees the insert", () -> leasable(b).contains(one.id()));
    Account two = a.store().insert(AccountStoreContract.account("two", "at")).await();
    await("B sees the second insert", () -> leasable(b).containsAll(List.of(one.id(), two.id())));

    a.store().disable(one.id(), "suspended", Instant.now()).await();
    await("B drops the disabled account", () -> !leasable(b).contains(one.id()));

    a.store().mergeOther(two.id(), new JsonObject().put("cooldownUntil", "2999-01-01T00:00:00.000Z")).await();
    await("B honours A's cooldown", () -> !leasable(b).contains(two.id()));

    a.store().update(one.id(), AccountPatch.builder().enabled(true).build()).await();
    await("B sees the re-enabled account", () -> leasable(b).contains(one.id()));

    a.store().delete(one.id()).await();
    await("B drops the deleted account", () -> !leasable(b).contains(one.id()));
  }

  @Test
  void onlyChangesOfWhoMayServeNotify(Vertx vertx) {
    Instance a = instance(vertx);
    List<String> notified = new CopyOnWriteArrayList<>();
    Database listener = AccountStores.openDatabase(vertx, url).await();
    opened.add(listener);
    Account one = a.store().insert(AccountStoreContract.account("one", "at")).await();
    Account marker = a.store().insert(AccountStoreContract.account("marker", "at")).await();
    listener.listen(SqlQueries.CHANGES_CHANNEL, () -> notified.add("event"));
    await("subscribed", () -> !notified.isEmpty()); // the (re)subscription itself counts as a change
    notified.clear();

    a.store().recordSuccess(one.id()).await();
    a.store().recordFailure(one.id(), 100).await(); // a counter, not a disable
    a.store().recordSuccess(one.id()).await();
    a.store().mergeOther(marker.id(), new JsonObject().put("m", 1)).await();
    await("the marker's notification", () -> !notified.isEmpty());
    assertThat(notified).hasSize(1); // notifications arrive in commit order: none came before the marker's
  }

  @Test
  void countersAreExactAcrossInstancesAndMaxErrorCountDisablesOnce(Vertx vertx) {
    Instance a = instance(vertx);
    Instance b = instance(vertx);
    Account x = a.store().insert(AccountStoreContract.account("x", "at")).await();
    Account y = a.store().insert(AccountStoreContract.account("y", "at")).await();
    List<String> notified = new CopyOnWriteArrayList<>();
    Database listener = AccountStores.openDatabase(vertx, url).await();
    opened.add(listener);
    listener.listen(SqlQueries.CHANGES_CHANNEL, () -> notified.add("event"));
    await("subscribed", () -> !notified.isEmpty());
    notified.clear();

    List<Future<Void>> writes = new java.util.ArrayList<>();
    IntStream.range(0, 150).forEach(i -> {
      writes.add(a.store().recordFailure(x.id(), 200));
      writes.add(b.store().recordFailure(x.id(), 200));
      writes.add(a.store().recordSuccess(y.id()));
      writes.add(b.store().recordSuccess(y.id()));
    });
    Future.all(writes).await();

    Account xAfter = a.store().findById(x.id()).await().orElseThrow();
    assertThat(xAfter.errorCount()).isEqualTo(300);
    assertThat(xAfter.enabled()).isFalse();
    assertThat(xAfter.other().getString("disabledReason")).isEqualTo("max_error_count");
    assertThat(b.store().findById(y.id()).await().orElseThrow().successCount()).isEqualTo(300);

    a.store().mergeOther(y.id(), new JsonObject().put("m", 1)).await();
    await("the marker's notification", () -> notified.size() >= 2);
    assertThat(notified).hasSize(2); // one disable (enabled and other changed once), one marker
  }
}
