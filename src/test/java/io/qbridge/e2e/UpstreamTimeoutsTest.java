package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Connect and idle timeouts of the upstream client surface as clean 5xx errors or error events. */
@ExtendWith(VertxExtension.class)
class UpstreamTimeoutsTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void silentUpstreamBeforeHeadersIsA504(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("UPSTREAM_IDLE_TIMEOUT_MS", "400"));
    gw.addAccount();
    gw.emulator.enqueue(Scenario.hangBeforeHeaders(-1));
    long t0 = System.currentTimeMillis();
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.json().getJsonObject("error").getString("type")).isEqualTo("timeout_error");
    assertThat(System.currentTimeMillis() - t0).isLessThan(5000);
  }

  @Test
  void silentUpstreamMidStreamEndsWithAnErrorEvent(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("UPSTREAM_IDLE_TIMEOUT_MS", "400", "SSE_PING_INTERVAL_MS", "60000"));
    gw.addAccount();
    gw.emulator.enqueue(Scenario.builder().text("partial").silence(3000).text("never").build());
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(SseParser.names(events)).contains("content_block_delta").endsWith("error").doesNotContain("message_stop");
    assertThat(events.get(events.size() - 1).json().getJsonObject("error").getString("type")).isEqualTo("timeout_error");
  }

  @Test
  void unreachableUpstreamIsA502(Vertx vertx) throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    gw = TestGateway.start(vertx, dir, Map.of("AMAZONQ_ENDPOINT", "http://127.0.0.1:" + closedPort + "/"));
    gw.addAccount();
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.json().getJsonObject("error").getString("message"))
        .isEqualTo("Cannot reach the upstream service 127.0.0.1: connection refused");
  }

  @Test
  void unknownUpstreamHostSaysDns(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir, Map.of("AMAZONQ_ENDPOINT", "http://no-such-host.invalid/"));
    gw.addAccount();
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(r.status()).isEqualTo(502);
    assertThat(r.json().getJsonObject("error").getString("message"))
        .isEqualTo("Cannot reach the upstream service no-such-host.invalid: DNS lookup failed");
  }

  @Test
  void headersTimeoutFailsOverFastWhileTheStreamIdleTimeoutStaysLong(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("UPSTREAM_HEADERS_TIMEOUT_MS", "300", "UPSTREAM_IDLE_TIMEOUT_MS", "30000",
        "SHORT_COOLDOWN_SECONDS", "0"));
    gw.addAccount();
    gw.addAccount();
    gw.emulator.enqueue(Scenario.hangBeforeHeaders(-1), Scenario.text("rescued"));
    long t0 = System.currentTimeMillis();
    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("rescued");
    assertThat(System.currentTimeMillis() - t0).as("failed over after the headers timeout, not the idle one").isLessThan(5000);
    // a slow answer after the headers is not cut by the short headers timeout
    gw.emulator.enqueue(Scenario.builder().text("slow").silence(1000).text(" but fine").build());
    TestGateway.Response slow = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(slow.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("slow but fine");
  }
}
