package io.qbridge.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The guard sees a blocked event loop: without this, a silent guard would pass every test. */
@ExtendWith(VertxExtension.class)
class BlockedThreadGuardTest {

  @Test
  void aBlockedEventLoopIsRecorded(Vertx vertx) throws Exception {
    AtomicBoolean release = new AtomicBoolean();
    List<String> seen = new ArrayList<>();
    Context loop = vertx.getOrCreateContext();
    loop.runOnContext(v -> {
      long deadline = System.currentTimeMillis() + 10_000;
      while (!release.get() && System.currentTimeMillis() < deadline) Thread.onSpinWait(); // the block under test
    });
    long deadline = System.currentTimeMillis() + 10_000;
    while (seen.isEmpty() && System.currentTimeMillis() < deadline) {
      seen.addAll(BlockedThreadGuard.drain());
      Thread.onSpinWait();
    }
    release.set(true);
    assertThat(seen).isNotEmpty();
    assertThat(seen.get(0)).contains("vert.x-eventloop-thread").contains("time limit is " + BlockedThreadGuard.MAX_EVENT_LOOP_MS + " ms");
    // warnings logged until the loop runs its next task belong to this test too
    Promise<Void> free = Promise.promise();
    loop.runOnContext(v -> free.complete());
    free.future().await(10, TimeUnit.SECONDS);
    BlockedThreadGuard.drain();
  }
}
