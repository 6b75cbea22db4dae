package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our own limit (UPSTREAM_MAX_CONNECTIONS chat requests per HTTP instance) is a 503 with
 * {@code retry-after} in the API's shape, decided before any account is leased: the account's
 * counters, holds and state stay untouched, however many requests are refused.
 */
@ExtendWith(VertxExtension.class)
class LocalCapacityTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  @Test
  void atCapacityClientsGet503WithRetryAfterAndNoAccountIsCharged(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir, Map.of("UPSTREAM_MAX_CONNECTIONS", "1", "MAX_ERROR_COUNT", "2"));
    Credentials account = gw.addAccount();
    // the one slot: a stream whose upstream answers only when the client leaves
    gw.emulator.enqueue(Scenario.hangBeforeHeaders(-1));
    HttpClientRequest holder = gw.http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(gw.app.port()).setURI("/v1/messages").putHeader("content-type", "application/json")).await();
    holder.send(MessagesEndToEndTest.body(true).toBuffer());
    long deadline = System.currentTimeMillis() + 5000;
    while (gw.emulator.chatRequests().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertThat(gw.emulator.chatRequests()).hasSize(1);

    // more refusals than MAX_ERROR_COUNT: had they been charged, the account would be disabled
    for (int i = 0; i < 3; i++) {
      TestGateway.Response anthropic = gw.postJson("/v1/messages", MessagesEndToEndTest.body(i % 2 == 0));
      assertThat(anthropic.status()).as(anthropic.body().toString()).isEqualTo(503);
      assertThat(anthropic.headers().get("retry-after")).isEqualTo("1");
      assertThat(anthropic.json().getString("type")).isEqualTo("error");
      assertThat(anthropic.json().getJsonObject("error").getString("type")).isEqualTo("overloaded_error");
      assertThat(anthropic.json().getJsonObject("error").getString("message")).contains("at capacity");
    }
    TestGateway.Response openai = gw.postJson("/v1/chat/completions", new JsonObject().put("model", "claude-sonnet-4")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))));
    assertThat(openai.status()).isEqualTo(503);
    assertThat(openai.headers().get("retry-after")).isEqualTo("1");
    assertThat(openai.json().getJsonObject("error").getString("message")).contains("at capacity");

    assertThat(gw.emulator.chatRequests()).as("refused requests never reach the upstream").hasSize(1);
    assertThat(gw.health().getInteger("activeLeases")).as("no lease for refused requests").isEqualTo(1);
    JsonObject a = gw.account(account.clientId());
    assertThat(a.getInteger("error_count")).isZero();
    assertThat(a.getInteger("success_count")).isZero();
    assertThat(a.getBoolean("enabled")).isTrue();
    assertThat(a.getString("state")).isEqualTo("active");
    JsonObject other = a.getJsonObject("other", new JsonObject());
    assertThat(other.fieldNames()).doesNotContain("cooldownUntil", "parkedUntil", "disabledReason");

    // the client holding the slot leaves: the slot and the lease come back, the next request works
    var closed = gw.emulator.nextStreamClosedByPeer();
    holder.connection().close();
    closed.await(5, TimeUnit.SECONDS);
    assertThat(gw.awaitNoActiveLeases()).isZero();
    TestGateway.Response after = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(after.status()).as(after.body().toString()).isEqualTo(200);
    assertThat(gw.account(account.clientId()).getInteger("success_count")).isEqualTo(1);
    assertThat(gw.account(account.clientId()).getInteger("error_count")).isZero();
  }
}
