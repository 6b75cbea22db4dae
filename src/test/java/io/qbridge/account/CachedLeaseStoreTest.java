package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The lease cache over a database that answers, fails, and comes back (a stepped clock, a scripted store). */
class CachedLeaseStoreTest {

  private final AtomicLong nanos = new AtomicLong(1);
  private final AtomicInteger loads = new AtomicInteger();
  /** What the next findEnabled returns; null: the database is down. */
  private volatile List<Account> rows = List.of(AccountStoreContract.account("a", "at"));
  private final List<Promise<List<Account>>> held = new ArrayList<>();
  private volatile boolean hold;
  /** The database's answer to a disable, completed by the test. */
  private final Promise<Void> disableWrite = Promise.promise();

  private final AccountStore database = (AccountStore) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {AccountStore.class}, (proxy, method, args) -> {
        if (method.getName().equals("disable")) return disableWrite.future();
        if (!method.getName().equals("findEnabled")) throw new UnsupportedOperationException(method.getName());
        loads.incrementAndGet();
        if (hold) {
          Promise<List<Account>> p = Promise.promise();
          held.add(p);
          return p.future();
        }
        return rows == null ? Future.failedFuture(new StoreException("account store findEnabled failed: Connection refused"))
            : Future.succeededFuture(rows);
      });

  private final CachedLeaseStore cache = new CachedLeaseStore(database, CachedLeaseStore.TTL_MS, nanos::get);

  private List<Account> lease() {
    return cache.findLeaseCandidates(10, Instant.now(), List.of()).result();
  }

  private void advanceMs(long ms) {
    nanos.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void reloadsAfterTheTtlAndAfterAnInvalidation() {
    assertThat(lease()).hasSize(1);
    assertThat(lease()).hasSize(1);
    assertThat(loads).hasValue(1);
    advanceMs(CachedLeaseStore.TTL_MS);
    lease();
    assertThat(loads).hasValue(2);
    cache.invalidate();
    lease();
    assertThat(loads).hasValue(3);
  }

  @Test
  void concurrentLeasesShareOneLoad() {
    hold = true;
    Future<List<Account>> first = cache.findLeaseCandidates(10, Instant.now(), List.of());
    Future<List<Account>> second = cache.findLeaseCandidates(10, Instant.now(), List.of());
    assertThat(loads).hasValue(1);
    held.get(0).complete(rows);
    assertThat(first.result()).hasSize(1);
    assertThat(second.result()).hasSize(1);
  }

  @Test
  void whileTheDatabaseIsDownTheLastViewServesForTheGracePeriodThenLeasesFail() {
    assertThat(lease()).hasSize(1);
    rows = null;
    cache.invalidate(); // e.g. a write (which failed) or a notification
    assertThat(lease()).hasSize(1);
    assertThat(loads).hasValue(2);
    assertThat(lease()).hasSize(1);
    assertThat(loads).as("retried after a TTL, not on every lease").hasValue(2);

    advanceMs(CachedLeaseStore.OUTAGE_GRACE_MS - CachedLeaseStore.TTL_MS);
    assertThat(lease()).hasSize(1);
    advanceMs(CachedLeaseStore.TTL_MS);
    Throwable err = catchThrowable(() -> cache.findLeaseCandidates(10, Instant.now(), List.of()).await());
    assertThat(err).isInstanceOf(StoreException.class).hasMessageContaining("Connection refused");

    rows = List.of(AccountStoreContract.account("b", "at"), AccountStoreContract.account("c", "at"));
    assertThat(lease()).hasSize(2); // back without a restart
  }

  @Test
  void anAccountBeingDisabledIsNeverLeasedAgainEvenFromAViewLoadedBeforeTheWriteLanded() {
    Account a = AccountStoreContract.account("a", "at");
    Account b = AccountStoreContract.account("b", "at");
    rows = List.of(a, b);
    assertThat(labels(lease())).containsExactlyInAnyOrder("a", "b");

    // a request's failure disables "a"; the client's next request leases before the write lands
    Future<Void> disabled = cache.disable(a.id(), "suspended", Instant.now());
    assertThat(labels(lease())).containsExactly("b");
    cache.invalidate(); // a reload meanwhile still reads the row enabled
    assertThat(labels(lease())).containsExactly("b");

    rows = List.of(b);
    disableWrite.complete();
    assertThat(disabled.succeeded()).isTrue();
    assertThat(labels(lease())).containsExactly("b");

    // a load after the write is trusted again: the account, enabled later, comes back
    rows = List.of(a, b);
    cache.invalidate();
    assertThat(labels(lease())).containsExactlyInAnyOrder("a", "b");
  }

  private static List<String> labels(List<Account> accounts) {
    return accounts.stream().map(Account::label).toList();
  }

  @Test
  void withoutAnyEarlierViewAnOutageFailsAtOnce() {
    rows = null;
    assertThat(catchThrowable(() -> cache.findLeaseCandidates(10, Instant.now(), List.of()).await()))
        .isInstanceOf(StoreException.class);
  }
}
