package io.qbridge.api.responses.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qbridge.error.GatewayException;
import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Responses store policy: TTL on a manual Timekeeper, the per-response cap, oldest-first eviction at the total cap. */
@ExtendWith(VertxExtension.class)
class ResponseStoreVerticleTest {

  @TempDir Path dir;
  ManualTimekeeper time = new ManualTimekeeper();
  ResponseStoreClient client;
  Vertx vertx;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.client = new ResponseStoreClient(vertx);
  }

  void deploy(long maxBytes, long totalMaxBytes) {
    deploy(maxBytes, totalMaxBytes, 3_600_000);
  }

  void deploy(long maxBytes, long totalMaxBytes, long sweepMs) {
    ResponseStoreVerticle.Settings settings = new ResponseStoreVerticle.Settings(url(), Duration.ofHours(24), maxBytes, totalMaxBytes, sweepMs);
    vertx.deployVerticle(new ResponseStoreVerticle(settings, v -> time)).await();
  }

  String url() {
    return "jdbc:sqlite:" + dir.resolve("store.sqlite3");
  }

  static JsonObject response(String id, int padding) {
    return new JsonObject().put("id", id).put("object", "response").put("pad", "x".repeat(padding));
  }

  static int status(Runnable r) {
    try {
      r.run();
      return 200;
    } catch (GatewayException e) {
      return e.status();
    } catch (CompletionException e) {
      return ((GatewayException) e.getCause()).status();
    }
  }

  @Test
  void storesReadsAndDeletes() {
    deploy(1_000_000, 10_000_000);
    JsonArray items = new JsonArray().add(new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray()));
    client.put(response("resp_1", 10), items).await();
    assertThat(client.response("resp_1").await().getString("id")).isEqualTo("resp_1");
    assertThat(new io.vertx.core.json.JsonArray(client.encodedItems("resp_1").await())).isEqualTo(items);
    client.delete("resp_1").await();
    assertThat(status(() -> client.response("resp_1").await())).isEqualTo(404);
    assertThat(status(() -> client.delete("resp_1").await())).isEqualTo(404);
    assertThat(status(() -> client.encodedItems("resp_unknown").await())).isEqualTo(404);
  }

  @Test
  void expiresAfterTheTtl() {
    deploy(1_000_000, 10_000_000);
    client.put(response("resp_old", 10), new JsonArray()).await();
    time.advance(Duration.ofHours(23).toMillis());
    assertThat(client.response("resp_old").await().getString("id")).isEqualTo("resp_old");
    time.advance(Duration.ofHours(1).toMillis());
    assertThatThrownBy(() -> client.response("resp_old").await()).isInstanceOf(GatewayException.class)
        .hasMessageContaining("resp_old").hasMessageContaining("not found");
  }

  @Test
  void aResponseOverThePerResponseCapIsNotStored() {
    deploy(2_000, 10_000_000);
    assertThat(status(() -> client.put(response("resp_big", 5_000), new JsonArray()).await())).isEqualTo(413);
    assertThat(status(() -> client.response("resp_big").await())).isEqualTo(404);
  }

  @Test
  void theOldestGoFirstWhenTheTotalCapIsReached() {
    // each record is a little over 1,000 bytes: three fit under 3,500, a fourth evicts the first
    deploy(10_000, 3_500);
    for (int i = 1; i <= 4; i++) {
      client.put(response("resp_" + i, 1_000), new JsonArray()).await();
      time.advance(1000);
    }
    assertThat(status(() -> client.response("resp_1").await())).isEqualTo(404);
    for (int i = 2; i <= 4; i++) assertThat(client.response("resp_" + i).await().getString("id")).isEqualTo("resp_" + i);
  }

  @Test
  void theSweepDeletesExpiredRows() {
    deploy(1_000_000, 10_000_000, Duration.ofHours(1).toMillis());
    client.put(response("resp_swept", 10), new JsonArray()).await();
    ResponseStore direct = JdbcResponseStore.open(vertx, url()).await();
    try {
      assertThat(direct.get("resp_swept").await()).isNotNull();
      time.advance(Duration.ofHours(25).toMillis()); // 25 hourly sweeps
      long deadline = System.currentTimeMillis() + 5_000;
      while (direct.get("resp_swept").await() != null) {
        assertThat(System.currentTimeMillis()).as("expired row swept (the sweep deletes asynchronously)").isLessThan(deadline);
        Thread.onSpinWait();
      }
      assertThat(direct.totalBytes().await()).isZero();
    } finally {
      direct.close().await();
    }
  }
}
