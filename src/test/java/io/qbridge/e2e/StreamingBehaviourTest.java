package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Data-plane guarantees: back-pressure, cancellation on disconnect, keep-alive pings. */
@ExtendWith(VertxExtension.class)
class StreamingBehaviourTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void pausedClientStopsTheUpstreamReadAndMemoryStaysBounded(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    gw.emulator.enqueue(Scenario.endless(2000));
    // no max_tokens: qbridge enforces it locally and would end an endless answer by itself
    JsonObject unlimited = MessagesEndToEndTest.body(true);
    unlimited.remove("max_tokens");
    HttpClientResponse resp = gw.openStream("/v1/messages", unlimited).await();
    resp.pause();
    assertThat(resp.statusCode()).isEqualTo(200);

    long plateau = waitForPlateau(gw);
    assertThat(gw.emulator.backPressured()).as("emulator saw a full write queue").isTrue();
    // loopback socket buffers plus one write queue: a few MB, never the unbounded stream
    assertThat(plateau).isLessThan(48L * 1024 * 1024);
    // Kernel socket buffers may still grow a little (TCP autotuning), so the check is a bound, not
    // equality: without back-pressure qbridge would pull the endless stream at loopback speed
    // (hundreds of MB per second) while the client sleeps.
    Thread.sleep(1500);
    long later = gw.emulator.bytesWritten();
    assertThat(later - plateau).as("upstream bytes read while the client stayed paused").isLessThan(8L * 1024 * 1024);
    assertThat(later).isLessThan(48L * 1024 * 1024);
    plateau = later;

    // resuming the client resumes the upstream
    Buffer received = Buffer.buffer();
    resp.handler(received::appendBuffer);
    resp.resume();
    long deadline = System.currentTimeMillis() + 10_000;
    while (gw.emulator.bytesWritten() <= plateau + 1_000_000 && System.currentTimeMillis() < deadline) Thread.sleep(50);
    assertThat(gw.emulator.bytesWritten()).isGreaterThan(plateau + 1_000_000);
    // (bytes that arrived before the handler was set are not kept by the client; check the flow only)
    assertThat(received.length()).as("client received the stream after resuming").isGreaterThan(100_000);

    var closed = gw.emulator.nextStreamClosedByPeer();
    resp.request().connection().close();
    closed.await(5, TimeUnit.SECONDS);
    assertThat(gw.emulator.activeStreams()).isZero();
  }

  /** Waits until the emulator wrote nothing for 1.5 s (TCP windows grow for a while first). */
  private static long waitForPlateau(TestGateway gw) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 30_000;
    long last = -1;
    int stable = 0;
    while (System.currentTimeMillis() < deadline) {
      Thread.sleep(300);
      long now = gw.emulator.bytesWritten();
      stable = now > 0 && now == last ? stable + 1 : 0;
      if (stable == 5) return now;
      last = now;
    }
    throw new AssertionError("upstream never stopped writing: " + last + " bytes");
  }

  @Test
  void clientDisconnectMidStreamCancelsTheUpstream(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    String[] parts = new String[200];
    java.util.Arrays.fill(parts, "tick ");
    gw.emulator.enqueue(Scenario.builder().eventDelayMs(50).text(parts).build());
    HttpClientResponse resp = gw.openStream("/v1/messages", MessagesEndToEndTest.body(true)).await();
    var firstBytes = io.vertx.core.Promise.<Void>promise();
    resp.handler(b -> firstBytes.tryComplete());
    resp.resume();
    firstBytes.future().await(5, TimeUnit.SECONDS);
    var closed = gw.emulator.nextStreamClosedByPeer();
    long t0 = System.nanoTime();
    resp.request().connection().close();
    closed.await(3, TimeUnit.SECONDS);
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
    assertLeasesReleased();
  }

  @Test
  void clientDisconnectBeforeUpstreamHeadersCancelsTheUpstream(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    gw.emulator.enqueue(Scenario.hangBeforeHeaders(-1));
    var closed = gw.emulator.nextStreamClosedByPeer();
    var pending = gw.http.request(new io.vertx.core.http.RequestOptions().setMethod(io.vertx.core.http.HttpMethod.POST)
        .setHost("127.0.0.1").setPort(gw.app.port()).setURI("/v1/messages").putHeader("content-type", "application/json")).await();
    pending.send(MessagesEndToEndTest.body(true).toBuffer());
    long deadline = System.currentTimeMillis() + 5000;
    while (gw.emulator.chatRequests().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
    pending.connection().close();
    closed.await(3, TimeUnit.SECONDS);
    assertLeasesReleased();
  }

  @Test
  void silentUpstreamGetsPings(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, java.util.Map.of("SSE_PING_INTERVAL_MS", "200"));
    gw.addAccount();
    gw.emulator.enqueue(Scenario.builder().text("before").silence(1200).text(" after").build());
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));
    List<String> names = SseParser.names(SseParser.parse(r.body().toString()));
    int firstDelta = names.indexOf("content_block_delta");
    int lastDelta = names.lastIndexOf("content_block_delta");
    assertThat(names.subList(firstDelta, lastDelta)).filteredOn("ping"::equals).hasSizeGreaterThanOrEqualTo(3);
    assertThat(r.headers().get("content-type")).startsWith("text/event-stream");
    assertThat(r.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(r.headers().get("x-accel-buffering")).isEqualTo("no");
  }

  @Test
  void noAccountIsA503InAnthropicShape(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.json().getString("type")).isEqualTo("error");
    assertThat(r.json().getJsonObject("error").getString("message")).contains("No enabled account");
  }

  @Test
  void apiKeysAreChecked(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, java.util.Map.of("OPENAI_KEYS", "k1,k2"));
    gw.addAccount();
    TestGateway.Response none = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().getJsonObject("error").getString("type")).isEqualTo("authentication_error");
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false), "x-api-key", "wrong").status()).isEqualTo(401);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false), "x-api-key", "k2").status()).isEqualTo(200);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false), "authorization", "Bearer k1").status()).isEqualTo(200);
  }

  private void assertLeasesReleased() throws InterruptedException {
    long deadline = System.currentTimeMillis() + 3000;
    int leases = -1;
    while (System.currentTimeMillis() < deadline) {
      leases = gw.request(io.vertx.core.http.HttpMethod.GET, "/healthz", null, null).json().getInteger("activeLeases");
      if (leases == 0) return;
      Thread.sleep(50);
    }
    assertThat(leases).isZero();
  }
}
