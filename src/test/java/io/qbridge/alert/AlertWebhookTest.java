package io.qbridge.alert;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.telemetry.AccountEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The webhook against a local receiver on port 0: delivered, retried on failure, never blocking, bounded. */
@ExtendWith(VertxExtension.class)
class AlertWebhookTest {

  private final List<JsonObject> received = new CopyOnWriteArrayList<>();
  private HttpServer receiver;
  private HttpClientAgent client;

  private String start(Vertx vertx, Consumer<HttpServerRequest> respond) {
    receiver = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      received.add(b.toJsonObject());
      respond.accept(req);
    })).listen(0, "127.0.0.1").await();
    client = vertx.createHttpClient();
    return "http://127.0.0.1:" + receiver.actualPort() + "/hook";
  }

  @AfterEach
  void stop() {
    if (client != null) client.close().await();
    if (receiver != null) receiver.close().await();
  }

  private static AccountEvent suspended() {
    return new AccountEvent(AccountEvent.SUSPENDED, "acc-1", "team-a", "suspended", Instant.parse("2026-12-01T10:00:00Z"));
  }

  /** Creates the webhook and publishes on one context (it is context-confined, like in the watch verticle). */
  private static AlertWebhook onContext(Context ctx, Vertx vertx, HttpClientAgent client, String url, Consumer<AlertWebhook> use) {
    AlertWebhook[] hook = new AlertWebhook[1];
    Future.<Void>future(p -> ctx.runOnContext(v -> {
      hook[0] = new AlertWebhook(vertx, client, url, "gw-1", 10);
      use.accept(hook[0]);
      p.complete();
    })).await();
    return hook[0];
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(5);
    }
  }

  @Test
  void deliversTheEventAsJsonWithASlackText(Vertx vertx) throws Exception {
    String url = start(vertx, req -> req.response().setStatusCode(204).end());
    onContext(vertx.getOrCreateContext(), vertx, client, url, h -> h.publish(suspended()));
    await(() -> received.size() == 1, "one delivery");
    JsonObject body = received.get(0);
    assertThat(body.getString("event")).isEqualTo("account_suspended");
    assertThat(body.getString("accountId")).isEqualTo("acc-1");
    assertThat(body.getString("label")).isEqualTo("team-a");
    assertThat(body.getString("reason")).isEqualTo("suspended");
    assertThat(body.getString("at")).isEqualTo("2026-12-01T10:00:00Z");
    assertThat(body.getString("instance")).isEqualTo("gw-1");
    assertThat(body.getString("text")).contains("account_suspended", "team-a", "acc-1", "suspended");
  }

  @Test
  void retriesWithBackoffUntilTheReceiverRecovers(Vertx vertx) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String url = start(vertx, req -> req.response().setStatusCode(calls.incrementAndGet() <= 2 ? 503 : 200).end());
    Context ctx = vertx.getOrCreateContext();
    AlertWebhook hook = onContext(ctx, vertx, client, url, h -> h.publish(suspended()));
    await(() -> calls.get() == 3, "two failures and a success");
    assertThat(received).hasSize(3).allSatisfy(b -> assertThat(b.getString("event")).isEqualTo("account_suspended"));
    await(() -> hook.pending() == 0, "the queue to drain");
  }

  @Test
  void givesUpAfterMaxAttemptsAndMovesOn(Vertx vertx) throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String url = start(vertx, req -> req.response().setStatusCode(calls.incrementAndGet() <= AlertWebhook.MAX_ATTEMPTS ? 500 : 200).end());
    onContext(vertx.getOrCreateContext(), vertx, client, url, h -> {
      h.publish(suspended());
      h.publish(new AccountEvent(AccountEvent.POOL_RECOVERED, null, null, "2 healthy >= 2", Instant.EPOCH));
    });
    await(() -> calls.get() == AlertWebhook.MAX_ATTEMPTS + 1, "the second event after the first was dropped");
    assertThat(received.get(received.size() - 1).getString("event")).isEqualTo("pool_recovered");
  }

  @Test
  void publishingNeverWaitsForAHungReceiverAndTheQueueIsBounded(Vertx vertx) throws Exception {
    String url = start(vertx, req -> { /* never answers */ });
    int published = AlertWebhook.QUEUE_CAPACITY * 2;
    AlertWebhook hook = onContext(vertx.getOrCreateContext(), vertx, client, url, h -> {
      for (int i = 0; i < published; i++) h.publish(suspended());
    });
    // all publish calls returned while the first delivery is still waiting for the receiver
    await(() -> received.size() == 1, "the first delivery to reach the receiver");
    assertThat(hook.pending()).isEqualTo(AlertWebhook.QUEUE_CAPACITY + 1);
  }
}
