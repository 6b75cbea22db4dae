package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Turns to ask the upstream pool: bounded, in order, with a bounded wait that never charges an account. */
@ExtendWith(VertxExtension.class)
class ConnectQueueTest {

  /** Runs {@code body} on an event loop, as the HTTP verticle does, and returns its result. */
  private static <T> T onLoop(Vertx vertx, Supplier<T> body) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> {
      try {
        result.complete(body.get());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result.get(5, TimeUnit.SECONDS);
  }

  @Test
  void atMostMaxAcquiringAtOnceAndTheRestInArrivalOrder(Vertx vertx) throws Exception {
    ConnectQueue queue = onLoop(vertx, () -> new ConnectQueue(vertx, 2, 60_000));
    List<Future<Void>> turns = onLoop(vertx, () -> {
      List<Future<Void>> all = new ArrayList<>();
      for (int i = 0; i < 5; i++) all.add(queue.turn(new Cancellation()));
      return all;
    });
    assertThat(turns).extracting(Future::succeeded).containsExactly(true, true, false, false, false);
    assertThat(onLoop(vertx, queue::waiting)).isEqualTo(3);

    onLoop(vertx, () -> {
      queue.done();
      return null;
    });
    assertThat(turns).extracting(Future::succeeded).containsExactly(true, true, true, false, false);
    onLoop(vertx, () -> {
      queue.done();
      queue.done();
      return null;
    });
    assertThat(turns).allMatch(Future::succeeded);
    assertThat(onLoop(vertx, queue::waiting)).isZero();
  }

  @Test
  void aWaiterWhoseClientLeftIsSkipped(Vertx vertx) throws Exception {
    ConnectQueue queue = onLoop(vertx, () -> new ConnectQueue(vertx, 1, 60_000));
    Cancellation leaving = new Cancellation();
    List<Future<Void>> turns = onLoop(vertx, () -> List.of(queue.turn(new Cancellation()), queue.turn(leaving),
        queue.turn(new Cancellation())));
    onLoop(vertx, () -> {
      leaving.cancel();
      return null;
    });
    assertThat(turns.get(1).failed()).isTrue();
    assertThat(turns.get(1).cause()).isInstanceOfSatisfying(UpstreamError.class,
        e -> assertThat(e.kind()).isEqualTo(UpstreamError.Kind.LOCAL_CAPACITY));

    onLoop(vertx, () -> {
      queue.done();
      return null;
    });
    assertThat(turns.get(2).succeeded()).as("the turn skips the waiter that left").isTrue();
  }

  @Test
  void aWaitLongerThanTheBoundFailsAsLocalCapacity(Vertx vertx) throws Exception {
    ConnectQueue queue = onLoop(vertx, () -> new ConnectQueue(vertx, 1, 50));
    Future<Void> waiting = onLoop(vertx, () -> {
      queue.turn(new Cancellation());
      return queue.turn(new Cancellation());
    });
    Throwable failure = waiting.toCompletionStage().toCompletableFuture()
        .handle((v, t) -> t).get(5, TimeUnit.SECONDS);
    assertThat(failure).isInstanceOfSatisfying(UpstreamError.class, e -> {
      assertThat(e.kind()).isEqualTo(UpstreamError.Kind.LOCAL_CAPACITY);
      assertThat(e.kind().accountAction()).as("never charged to an account").isEqualTo(io.qbridge.bus.AccountAction.NONE);
      assertThat(e.detail()).contains("no turn to connect upstream within 50 ms");
    });

    // the turn holder finishes: nobody live is waiting, so the turn is free again
    onLoop(vertx, () -> {
      queue.done();
      return null;
    });
    assertThat(onLoop(vertx, () -> queue.turn(new Cancellation())).succeeded()).isTrue();
  }
}
