package io.qbridge.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.error.GatewayException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class BodyWorkTest {

  static final Buffer SMALL = Buffer.buffer(new byte[1024]);
  static final Buffer LARGE = Buffer.buffer(new byte[60 * 1024]);

  /** Runs {@code op} on the event loop of {@code loop} (BodyWork is confined to one) and waits for its result. */
  static <T> T onLoop(Context loop, Supplier<Future<T>> op) throws Exception {
    Promise<T> p = Promise.promise();
    loop.runOnContext(v -> op.get().onComplete(p));
    return p.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  void smallBodiesRunInlineLargeOnesOnAWorkerAndContinueOnTheLoop(Vertx vertx) throws Exception {
    Context loop = vertx.getOrCreateContext();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-body-work", 1);
    BodyWork work = new BodyWork(workers, 1024 * 1024);
    assertThat(BodyWorkTest.<Boolean>onLoop(loop, () -> work.run(SMALL.length(), () -> Context.isOnEventLoopThread()))).isTrue();
    assertThat(BodyWorkTest.<Boolean>onLoop(loop, () -> work.run(LARGE.length(), () -> Context.isOnWorkerThread()))).isTrue();
    assertThat(BodyWorkTest.<Boolean>onLoop(loop, () -> work.run(LARGE.length(), () -> LARGE.length()).map(n -> Context.isOnEventLoopThread()))).isTrue();
    workers.close().await();
  }

  @Test
  void aFullQueueAnswers503WithRetryAfterAndFreesWhenWorkEnds(Vertx vertx) throws Exception {
    Context loop = vertx.getOrCreateContext();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-body-work-full", 1);
    BodyWork work = new BodyWork(workers, 100 * 1024);
    CountDownLatch release = new CountDownLatch(1);
    Promise<Integer> first = Promise.promise();
    loop.runOnContext(v -> work.run(LARGE.length(), () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return 1;
    }).onComplete(first));

    Throwable refused = BodyWorkTest.<Throwable>onLoop(loop, () -> work.run(LARGE.length(), () -> 2).transform(ar -> Future.succeededFuture(ar.cause())));
    assertThat(refused).isInstanceOf(GatewayException.class);
    assertThat(((GatewayException) refused).status()).isEqualTo(503);
    assertThat(((GatewayException) refused).retryAfterSeconds()).isEqualTo(1);
    assertThat(BodyWorkTest.<Integer>onLoop(loop, () -> work.run(SMALL.length(), () -> 3))).as("small bodies never wait").isEqualTo(3);

    release.countDown();
    assertThat(first.future().await(10, TimeUnit.SECONDS)).isEqualTo(1);
    assertThat(BodyWorkTest.<Integer>onLoop(loop, () -> work.run(LARGE.length(), () -> 4))).as("room again once the work ended").isEqualTo(4);
    workers.close().await();
  }

  @Test
  void aFailingJobFailsTheFuture(Vertx vertx) throws Exception {
    Context loop = vertx.getOrCreateContext();
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-body-work-fail", 1);
    BodyWork work = new BodyWork(workers, 1024 * 1024);
    for (Buffer body : new Buffer[] {SMALL, LARGE}) {
      Throwable t = BodyWorkTest.<Throwable>onLoop(loop, () -> work.<Integer>run(body.length(), () -> {
        throw GatewayException.badRequest("nope");
      }).transform(ar -> Future.succeededFuture(ar.cause())));
      assertThat(t).hasMessage("nope");
    }
    workers.close().await();
  }
}
