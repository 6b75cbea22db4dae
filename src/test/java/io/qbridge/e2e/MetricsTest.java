package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** /metrics moves with traffic by exact deltas, is guarded like the admin API, and keeps cardinality bounded. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private static final String ADMIN = "admin-secret";
  private static final String MODEL = "claude-sonnet-4.5";

  @TempDir Path dir;
  TestGateway gw;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("ADMIN_KEY", ADMIN));
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  private String scrape() {
    return get("/metrics", "authorization", "Bearer " + ADMIN).body().toString();
  }

  private TestGateway.Response get(String path, String... headers) {
    return gw.request(HttpMethod.GET, path, null, null, headers);
  }

  static JsonObject message(boolean stream, String model) {
    return new JsonObject().put("model", model).put("max_tokens", 64).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
  }

  @Test
  void guardedLikeTheAdminApi() {
    assertThat(get("/metrics").status()).isEqualTo(401);
    assertThat(get("/metrics", "authorization", "Bearer wrong").status()).isEqualTo(401);
    TestGateway.Response ok = get("/metrics", "x-admin-key", ADMIN);
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
    String text = ok.body().toString();
    assertThat(text).contains("qbridge_active_streams ", "qbridge_failovers_total ", "jvm_memory_used_bytes",
        "process_cpu_usage", "jvm_threads_live_threads");
  }

  @Test
  void metricsPortServesOnlyMetricsWithoutAKey(Vertx vertx, @TempDir Path other) throws Exception {
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    TestGateway scraped = TestGateway.start(vertx, other, Map.of("ADMIN_KEY", ADMIN, "METRICS_PORT", Integer.toString(port)));
    io.vertx.core.http.HttpClientAgent client = vertx.createHttpClient();
    try {
      int status = client.request(HttpMethod.GET, port, "127.0.0.1", "/metrics").compose(r -> r.send())
          .compose(r -> r.body().map(b -> {
            assertThat(b.toString()).contains("qbridge_active_streams");
            return r.statusCode();
          })).await(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(status).isEqualTo(200);
      int other404 = client.request(HttpMethod.GET, port, "127.0.0.1", "/v2/accounts").compose(r -> r.send())
          .map(r -> r.statusCode()).await(10, java.util.concurrent.TimeUnit.SECONDS);
      assertThat(other404).isEqualTo(404);
    } finally {
      client.close().await();
      scraped.close();
    }
  }

  @Test
  void requestsDurationsTtftAndTokensMoveByExactDeltas() {
    gw.addAccount();
    String before = scrape();
    int plain = 4;
    int streams = 3;
    for (int i = 0; i < plain; i++) {
      gw.emulator.enqueue(Scenario.text("Hello", " there"));
      assertThat(gw.postJson("/v1/messages", message(false, "claude-sonnet-4-5-20250929")).status()).isEqualTo(200);
    }
    for (int i = 0; i < streams; i++) {
      gw.emulator.enqueue(Scenario.text("One", " two"));
      assertThat(gw.postJson("/v1/messages", message(true, "claude-sonnet-4-5")).status()).isEqualTo(200);
    }
    gw.emulator.enqueue(Scenario.text("ok"));
    assertThat(gw.postJson("/v1/chat/completions", new JsonObject().put("model", "gpt-4o")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")))).status()).isEqualTo(200);
    assertThat(gw.postJson("/v1/messages", new JsonObject().put("model", "x")).status()).isEqualTo(400);
    String after = awaitCount("qbridge_requests_total", before, plain + streams + 2);

    assertThat(delta(before, after, "qbridge_requests_total", "api", "anthropic", "model", MODEL, "status", "200")).isEqualTo(plain + streams);
    assertThat(delta(before, after, "qbridge_requests_total", "api", "openai", "model", MODEL, "status", "200")).isEqualTo(1);
    assertThat(delta(before, after, "qbridge_requests_total", "api", "anthropic", "model", "none", "status", "400")).isEqualTo(1);
    assertThat(delta(before, after, "qbridge_request_duration_seconds_count", "api", "anthropic", "model", MODEL)).isEqualTo(plain + streams);
    assertThat(delta(before, after, "qbridge_request_duration_seconds_bucket", "api", "anthropic", "model", MODEL, "le", "+Inf"))
        .isEqualTo(plain + streams);
    assertThat(delta(before, after, "qbridge_ttft_seconds_count", "api", "anthropic", "model", MODEL)).isEqualTo(streams);
    assertThat(delta(before, after, "qbridge_ttft_seconds_sum", "api", "anthropic", "model", MODEL)).isPositive();
    assertThat(delta(before, after, "qbridge_upstream_calls_total", "outcome", "ok")).isEqualTo(plain + streams + 1);
    assertThat(delta(before, after, "qbridge_tokens_total", "api", "anthropic", "direction", "input")).isPositive();
    assertThat(delta(before, after, "qbridge_tokens_total", "api", "anthropic", "direction", "output")).isPositive();
    assertThat(PrometheusText.value(after, "qbridge_active_streams")).isZero();
  }

  @Test
  void inflightPerAccountFollowsTheLeaseAndActiveStreamsTheStream() throws Exception {
    gw.addAccount();
    String id = gw.request(HttpMethod.GET, "/v2/accounts", null, null, "x-admin-key", ADMIN).body().toJsonArray()
        .getJsonObject(0).getString("id");
    // one fragment, then a long silence: the stream lasts until the client leaves (an endless answer
    // would end at the model's max output, to which max_tokens is clamped)
    gw.emulator.enqueue(Scenario.builder().text("Hello").silence(60_000).build());
    io.vertx.core.http.HttpClientResponse stream = gw.openStream("/v1/messages", message(true, "claude-sonnet-4-5"))
        .await(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(stream.statusCode()).isEqualTo(200);
    awaitValue("qbridge_account_inflight", 1, "account", id);
    awaitValue("qbridge_active_streams", 1);
    stream.request().connection().close(); // the client leaves: the lease is released, the stream ends
    awaitValue("qbridge_account_inflight", 0, "account", id);
    awaitValue("qbridge_active_streams", 0);
  }

  @Test
  void tokenRefreshesAreCountedByResultWhenTheyHappen() {
    io.qbridge.emulator.Credentials c = gw.addAccount();
    String id = gw.request(HttpMethod.GET, "/v2/accounts", null, null, "x-admin-key", ADMIN).body().toJsonArray()
        .getJsonObject(0).getString("id");
    String before = scrape();
    for (int i = 0; i < 2; i++) {
      assertThat(gw.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null, "x-admin-key", ADMIN).status())
          .isEqualTo(200);
    }
    gw.emulator.oidc().revokeRefreshToken(c.refreshToken());
    assertThat(gw.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null, "x-admin-key", ADMIN).status())
        .isEqualTo(502);
    String after = scrape();
    // counted by the pool as each refresh ends: exact, not sampled from the account rows
    assertThat(delta(before, after, "qbridge_token_refreshes_total", "result", "success")).isEqualTo(2);
    assertThat(delta(before, after, "qbridge_token_refreshes_total", "result", "invalid_grant")).isEqualTo(1);
  }

  private void awaitValue(String name, double want, String... labels) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    double now;
    while ((now = PrometheusText.value(scrape(), name, labels)) != want) {
      if (System.nanoTime() > deadline) throw new AssertionError(name + " stayed " + now + ", expected " + want + "\n"
          + scrape().lines().filter(l -> l.startsWith("qbridge_a")).toList());
      Thread.sleep(10);
    }
  }

  @Test
  void failoversAndUpstreamOutcomesAreCounted() {
    gw.addAccount();
    gw.addAccount();
    String before = scrape();
    gw.emulator.enqueue(Scenario.throttled429(), Scenario.text("after failover"));
    assertThat(gw.postJson("/v1/messages", message(false, "claude-sonnet-4-5")).status()).isEqualTo(200);
    String after = awaitCount("qbridge_requests_total", before, 1);
    assertThat(delta(before, after, "qbridge_failovers_total")).isEqualTo(1);
    assertThat(delta(before, after, "qbridge_upstream_calls_total", "outcome", "throttled")).isEqualTo(1);
    assertThat(delta(before, after, "qbridge_upstream_calls_total", "outcome", "ok")).isEqualTo(1);
  }

  @Test
  void aThousandClientModelNamesStayAFewSeries() {
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String name = "client-model-" + i + (i % 3 == 0 ? "-opus" : i % 3 == 1 ? "-haiku" : "");
      sent.add(name);
      // no account: each request maps its model, then fails fast with 503
      assertThat(gw.postJson("/v1/messages", message(false, name)).status()).isEqualTo(503);
    }
    String after = awaitCount("qbridge_requests_total", "", 1000);
    Set<String> models = new HashSet<>();
    PrometheusText.parse(after).stream().filter(s -> s.name().startsWith("qbridge_"))
        .forEach(s -> { if (s.labels().containsKey("model")) models.add(s.labels().get("model")); });
    assertThat(models).containsExactlyInAnyOrder("claude-sonnet-4.5", "claude-opus-4.5", "claude-haiku-4.5");
    assertThat(after).doesNotContain("client-model-");
  }

  /** Scrapes until {@code name}'s total grew by {@code n} since {@code before} (the end hook runs as the response ends). */
  private String awaitCount(String name, String before, int n) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    String now = scrape();
    while (total(now, name) - total(before, name) < n && System.nanoTime() < deadline) now = scrape();
    return now;
  }

  private static double total(String text, String name) {
    return text.isEmpty() ? 0 : PrometheusText.value(text, name);
  }

  private static double delta(String before, String after, String name, String... labels) {
    return PrometheusText.value(after, name, labels) - PrometheusText.value(before, name, labels);
  }
}
