package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Success counters are coalesced per account, written in order with failures, and never dropped. */
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
  final SuccessCounts counts = new SuccessCounts(store);

  @Test
  void successesReleasedDuringAWriteGoOutTogetherInTheNextOne() {
    Future<Void> first = counts.add("a");
    List<Future<Void>> during = List.of(counts.add("a"), counts.add("a"), counts.add("a"));
    Future<Void> other = counts.add("b");
    assertThat(writes).extracting(Write::id, Write::count).containsExactly(
        org.assertj.core.groups.Tuple.tuple("a", 1), org.assertj.core.groups.Tuple.tuple("b", 1));

    writes.get(0).result().complete();
    assertThat(first.succeeded()).isTrue();
    assertThat(during).noneMatch(Future::isComplete);
    assertThat(writes).hasSize(3);
    assertThat(writes.get(2).id()).isEqualTo("a");
    assertThat(writes.get(2).count()).isEqualTo(3);

    writes.get(2).result().complete();
    writes.get(1).result().complete();
    assertThat(during).allMatch(Future::succeeded);
    assertThat(other.succeeded()).isTrue();
    assertThat(counts.drain().succeeded()).as("nothing left to write").isTrue();
    assertThat(writes).hasSize(3);
  }

  @Test
  void aFailedWriteKeepsItsCountForTheNextWrite() {
    Future<Void> lost = counts.add("a");
    writes.get(0).result().fail("database locked");
    assertThat(lost.failed()).as("the caller learns of the failure").isTrue();

    counts.add("a");
    assertThat(writes.get(1).count()).as("the failed success goes out with the next one").isEqualTo(2);
  }

  @Test
  void drainWritesWhatAFailedWriteLeftBehind() {
    counts.add("a");
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
    counts.add("a");
    Future<Void> written = counts.written("a");
    assertThat(counts.written("b").succeeded()).as("nothing counted for b").isTrue();
    writes.get(0).result().complete();
    assertThat(written.isComplete()).as("the second success is not written yet").isFalse();
    writes.get(1).result().complete();
    assertThat(written.succeeded()).isTrue();
  }
}
