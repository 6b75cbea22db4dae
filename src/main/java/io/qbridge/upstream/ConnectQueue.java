package io.qbridge.upstream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * Paces how many requests of one HTTP instance ask the upstream connection pool for a connection
 * at once (UPSTREAM_MAX_CONNECTING); the others wait here, in arrival order, for at most
 * {@code maxWaitMs}.
 *
 * <p>Why: a burst of new streams (thousands of clients arriving together) made the pool open
 * thousands of connections in the same instant. On a busy machine establishing them took longer
 * than the pool's acquire timeout, and requests that were merely queued behind those connects failed
 * with them. A request that finds an idle keep-alive connection passes the pool in microseconds,
 * so in steady state nobody waits here: only the opening of new connections is paced. The pool's
 * own timeout (connect timeout + 1 s) then measures one connect, not a queue, and the wait here is
 * bounded on its own and ends in {@link UpstreamError.Kind#LOCAL_CAPACITY} (never charged to an
 * account).
 *
 * <p>Confined to its HTTP verticle's event loop. A waiter that gave up (timeout, client gone) stays
 * in the queue and is skipped when its turn comes: O(1) per event, whatever the queue's length.
 */
final class ConnectQueue {

  private final Vertx vertx;
  private final int maxAcquiring;
  private final long maxWaitMs;
  private final ArrayDeque<Waiter> waiting = new ArrayDeque<>();
  /** Requests that were given a turn and have not got (or failed to get) their connection yet. */
  private int acquiring;

  /**
   * @param maxAcquiring requests asking the pool at once, at least 1
   * @param maxWaitMs    longest wait for a turn
   */
  ConnectQueue(Vertx vertx, int maxAcquiring, long maxWaitMs) {
    this.vertx = vertx;
    this.maxAcquiring = Math.max(1, maxAcquiring);
    this.maxWaitMs = Math.max(1, maxWaitMs);
  }

  /**
   * Completes when the caller may ask the pool; the caller then calls {@link #done} exactly once,
   * when the pool answered. Fails with LOCAL_CAPACITY after {@code maxWaitMs}, or when
   * {@code cancellation} fires first (the client left).
   */
  Future<Void> turn(Cancellation cancellation) {
    if (acquiring < maxAcquiring && waiting.isEmpty()) {
      acquiring++;
      return Future.succeededFuture();
    }
    Waiter w = new Waiter();
    waiting.add(w);
    w.timer = vertx.setTimer(maxWaitMs, id -> w.promise.tryFail(UpstreamError.localCapacity(
        "no turn to connect upstream within " + maxWaitMs + " ms (" + waiting.size() + " waiting)")));
    cancellation.onCancel(() -> {
      vertx.cancelTimer(w.timer);
      w.promise.tryFail(UpstreamError.localCapacity("the client left while waiting to connect upstream"));
    });
    return w.promise.future();
  }

  /** The pool answered a request that had a turn: the turn passes to the next live waiter. */
  void done() {
    for (Waiter next; (next = waiting.poll()) != null; ) {
      if (next.promise.tryComplete()) {
        vertx.cancelTimer(next.timer);
        return; // the turn moves on: acquiring stays the same
      }
    }
    acquiring--;
  }

  /** Requests waiting for a turn, those that gave up included until their turn comes. */
  int waiting() {
    return waiting.size();
  }

  private static final class Waiter {
    final Promise<Void> promise = Promise.promise();
    long timer;
  }
}
