package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Success counters gather per account until the flush, go out as one write per account, are
 * written in order with failures, and are never dropped. The flush delay is the test's: it runs
 * the due flushes with {@link #flushDue()}.
 */
class SuccessCountsTest {

  /** The writes the store was asked for, completed by the test. */
  record Write(String id, int count, Promise<Void> result) {}

  final List<Write> writes = new ArrayList<>();
  final AccountStore store = (AccountStore) Proxy.newProxyInstance(AccountStore.class.getClassLoader(),
      new Class<?>[] {AccountStore.class}, (proxy, method, args) -> {
        if (!method.getName().equals("recordSuccesses")) throw new UnsupportedOperationException(method.getName());
        Write w = new Write((String) args[0], (Integer) args[1], Promise.promise());
        writes.add(w);
        return w.result().future();
      });
  final List<Runnable> due = new ArrayList<>();
  final SuccessCounts counts = new SuccessCounts(store, due::add);

  /** The gathering delay has passed: the scheduled flushes run. */
  void flushDue() {
    List<Runnable> now = List.copyOf(due);
    due.clear();
    now.forEach(Runnable::run);
  }

  @Test
  void successesGatherUntilTheFlushAndGoOutAsOneWritePerAccount() {
    List<Future<Void>> a = List.of(counts.add("a"), counts.add("a"), counts.add("a"));
    Future<Void> b = counts.add("b");
    assertThat(writes).as("nothing is written before the flush").isEmpty();
    assertThat(due).as("one flush per account").hasSize(2);

    flushDue();
    assertThat(writes).extracting(Write::id, Write::count).containsExactly(tuple("a", 3), tuple("b", 1));
    writes.forEach(w -> w.result().complete());
    assertThat(a).allMatch(Future::succeeded);
    assertThat(b.succeeded()).isTrue();
    assertThat(due).as("nothing left to flush").isEmpty();
  }

  @Test
  void successesReleasedDuringAWriteGoOutTogetherAtTheNextFlush() {
    Future<Void> first = counts.add("a");
    flushDue();
    List<Future<Void>> during = List.of(counts.add("a"), counts.add("a"), counts.add("a"));
    assertThat(due).as("the write in flight schedules the next one when it ends").isEmpty();

    writes.get(0).result().complete();
    assertThat(first.succeeded()).isTrue();
    assertThat(during).noneMatch(Future::isComplete);
    assertThat(writes).hasSize(1);

    flushDue();
    assertThat(writes).extracting(Write::id, Write::count).containsExactly(tuple("a", 1), tuple("a", 3));
    writes.get(1).result().complete();
    assertThat(during).allMatch(Future::succeeded);
    assertThat(counts.drain().succeeded()).as("nothing left to write").isTrue();
    assertThat(writes).hasSize(2);
  }

  @Test
  void aFailedWriteKeepsItsCountForTheNextFlush() {
    Future<Void> lost = counts.add("a");
    flushDue();
    writes.get(0).result().fail("database locked");
    assertThat(lost.failed()).as("the caller learns of the failure").isTrue();

    counts.add("a");
    assertThat(writes).as("retried at the next flush, not at once").hasSize(1);
    flushDue();
    assertThat(writes.get(1).count()).as("the failed success goes out with the next one").isEqualTo(2);
  }

  @Test
  void aFailedWriteIsRetriedAtTheNextFlushEvenWithoutNewSuccesses() {
    counts.add("a");
    flushDue();
    writes.get(0).result().fail("database locked");
    flushDue();
    assertThat(writes).extracting(Write::id, Write::count).containsExactly(tuple("a", 1), tuple("a", 1));
  }

  @Test
  void drainWritesWhatIsPendingAtOnce() {
    counts.add("a");
    counts.add("b");
    Future<Void> drained = counts.drain();
    assertThat(writes).extracting(Write::id, Write::count).containsExactlyInAnyOrder(tuple("a", 1), tuple("b", 1));
    assertThat(drained.isComplete()).isFalse();
    writes.forEach(w -> w.result().complete());
    assertThat(drained.succeeded()).isTrue();
    flushDue(); // the flushes scheduled before the drain find nothing left
    assertThat(writes).hasSize(2);
  }

  @Test
  void drainWritesWhatAFailedWriteLeftBehind() {
    counts.add("a");
    flushDue();
    writes.get(0).result().fail("database locked");
    Future<Void> drained = counts.drain();
    assertThat(writes).hasSize(2);
    assertThat(writes.get(1).count()).isEqualTo(1);
    assertThat(drained.isComplete()).isFalse();
    writes.get(1).result().complete();
    assertThat(drained.succeeded()).isTrue();
  }

  @Test
  void writtenWaitsForTheSuccessesCountedBeforeIt() {
    counts.add("a");
    flushDue();
    counts.add("a");
    Future<Void> written = counts.written("a");
    assertThat(counts.written("b").succeeded()).as("nothing counted for b").isTrue();
    writes.get(0).result().complete();
    assertThat(written.isComplete()).as("the second success is not written yet").isFalse();
    assertThat(writes).as("written() does not wait for the flush delay").hasSize(2);
    writes.get(1).result().complete();
    assertThat(written.succeeded()).isTrue();
  }

  @Test
  void writesAtOnceWithoutAGatheringDelay() {
    SuccessCounts immediate = new SuccessCounts(store);
    immediate.add("a");
    assertThat(writes).extracting(Write::id, Write::count).containsExactly(tuple("a", 1));
  }
}
