package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.emulator.Scenario;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Stopping qbridge lets a running stream finish and refuses new connections. */
@ExtendWith(VertxExtension.class)
class GracefulShutdownTest {

  @TempDir Path dir;

  @Test
  void inFlightStreamFinishesWhileNewConnectionsAreRefused(Vertx vertx) throws Exception {
    TestGateway gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    String[] ticks = new String[30];
    Arrays.fill(ticks, "tick ");
    gw.emulator.enqueue(Scenario.builder().eventDelayMs(40).text(ticks).build());
    HttpClientResponse resp = gw.openStream("/v1/messages", MessagesEndToEndTest.body(true)).await();
    Buffer body = Buffer.buffer();
    Promise<Void> firstBytes = Promise.promise();
    Promise<Void> ended = Promise.promise();
    resp.handler(b -> {
      body.appendBuffer(b);
      firstBytes.tryComplete();
    });
    resp.endHandler(v -> ended.tryComplete());
    resp.exceptionHandler(ended::tryFail);
    resp.resume();
    firstBytes.future().await(5, TimeUnit.SECONDS);

    Future<Void> closing = gw.app.close();
    // the server stops accepting once the undeploy reaches it: poll (with a deadline) until it does
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    Throwable refused = null;
    while (refused == null && System.nanoTime() < deadline && !ended.future().isComplete()) {
      refused = catchThrowable(() -> gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)));
    }
    assertThat(refused).as("a new request while draining").isNotNull();

    ended.future().await(10, TimeUnit.SECONDS);
    List<String> names = SseParser.names(SseParser.parse(body.toString()));
    assertThat(names).endsWith("message_delta", "message_stop");
    assertThat(names.stream().filter("content_block_delta"::equals).count()).isEqualTo(30);
    closing.await(10, TimeUnit.SECONDS);
    gw.emulator.close().await();
  }
}
