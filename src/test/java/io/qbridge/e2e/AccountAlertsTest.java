package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.alert.AccountWatch;
import io.qbridge.alert.AlertWebhook;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Account lifecycle alerts end to end: Amazon Q suspends an account mid-traffic, the pool disables
 * it, the census notices, the webhook receiver gets the event; the pool-level threshold fires and
 * clears; the accounts gauge sums to the account count.
 */
@ExtendWith(VertxExtension.class)
class AccountAlertsTest {

  @TempDir Path dir;
  TestGateway gw;
  HttpServer receiver;
  HttpClientAgent client;
  final List<JsonObject> received = new CopyOnWriteArrayList<>();
  PrometheusMetrics metrics;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(b.toJsonObject());
      req.response().setStatusCode(200).end();
    })).listen(0, "127.0.0.1").await();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    client.close().await();
    receiver.close().await();
    gw.close();
  }

  private void watch(Vertx vertx, int minHealthy) {
    metrics = new PrometheusMetrics();
    String url = "http://127.0.0.1:" + receiver.actualPort() + "/alerts";
    vertx.deployVerticle(new AccountWatch(metrics, v -> new AlertWebhook(v, client, url, "test", 10), minHealthy, 20,
        Clock.systemUTC())).await();
  }

  @Test
  void configuredWebhookHearsTheStartupCensusBelowTheThreshold(Vertx vertx, @TempDir Path other) throws Exception {
    // the gateway's own watch (ALERT_* keys): no account at all is below a minimum of one
    TestGateway configured = TestGateway.start(vertx, other, java.util.Map.of(
        "ALERT_WEBHOOK_URL", "http://127.0.0.1:" + receiver.actualPort() + "/alerts", "ALERT_MIN_HEALTHY_ACCOUNTS", "1"));
    try {
      await(() -> event("pool_below_min_healthy") != null, "the startup alert");
      assertThat(event("pool_below_min_healthy").getString("reason")).isEqualTo("0 healthy < 1");
      assertThat(event("pool_below_min_healthy").getString("instance")).isNotBlank();
    } finally {
      configured.close();
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  private JsonObject event(String name) {
    return received.stream().filter(e -> name.equals(e.getString("event"))).findFirst().orElse(null);
  }

  private double accountsGauge(String state) {
    var g = metrics.registry().find("qbridge.accounts").tag("state", state).gauge();
    return g == null ? 0 : g.value();
  }

  @Test
  void suspensionIsAlertedAndThePoolThresholdFiresAndClears(Vertx vertx) throws Exception {
    Credentials a = gw.addAccount();
    gw.addAccount();
    watch(vertx, 2);
    await(() -> accountsGauge("active") == 2, "both accounts counted active");

    // the next request hits a suspended account: the pool disables it and fails over to the other
    gw.emulator.enqueue(Scenario.suspended403(), Scenario.text("fine"));
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4-5").put("max_tokens", 16)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    assertThat(gw.postJson("/v1/messages", body).status()).isEqualTo(200);

    await(() -> event("account_suspended") != null && event("pool_below_min_healthy") != null, "the two alerts");
    JsonObject suspended = event("account_suspended");
    String suspendedId = suspended.getString("accountId");
    assertThat(suspended.getString("reason")).isEqualTo("suspended");
    assertThat(suspended.getString("label")).startsWith("acct-");
    assertThat(suspended.getString("instance")).isEqualTo("test");
    assertThat(suspended.encode()).doesNotContain(a.clientSecret()).doesNotContain(a.refreshToken());
    assertThat(event("pool_below_min_healthy").getString("reason")).isEqualTo("1 healthy < 2");
    assertThat(accountsGauge("suspended") + accountsGauge("active")).isEqualTo(2);
    assertThat(accountsGauge("suspended")).isEqualTo(1);

    // an admin re-enables it: the pool is back above the threshold
    assertThat(gw.request(HttpMethod.PATCH, "/v2/accounts/" + suspendedId,
        new JsonObject().put("enabled", true).toBuffer(), "application/json").status()).isEqualTo(200);
    await(() -> event("pool_recovered") != null, "the recovery alert");
    assertThat(event("pool_recovered").getString("reason")).isEqualTo("2 healthy >= 2");
    await(() -> accountsGauge("active") == 2 && accountsGauge("suspended") == 0, "the gauge to follow");
    assertThat(received.stream().filter(e -> e.getString("event").equals("account_suspended"))).hasSize(1);

  }
}
