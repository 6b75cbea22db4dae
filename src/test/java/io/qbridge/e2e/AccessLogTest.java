package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.qbridge.emulator.Scenario;
import io.qbridge.telemetry.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.KeyValuePair;

/** Exactly one access-log line per request, with the right fields, for successes, errors and streams. */
@ExtendWith(VertxExtension.class)
class AccessLogTest {

  private static final String KEY = "client-key-123";

  @TempDir Path dir;
  TestGateway gw;
  LogCapture access;
  LogCapture all;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("OPENAI_KEYS", KEY));
    gw.addAccount();
    gw.addAccount();
    access = new LogCapture("io.qbridge.access", Level.INFO);
    all = new LogCapture("io.qbridge", Level.INFO);
  }

  @AfterEach
  void stop() {
    all.close();
    access.close();
    gw.close();
  }

  static JsonObject message(boolean stream, String model) {
    return new JsonObject().put("model", model).put("max_tokens", 64).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "secret prompt text")));
  }

  @Test
  void oneLinePerRequestWithTheRightFields() {
    gw.emulator.enqueue(Scenario.text("Hello", " there"));
    gw.postJson("/v1/messages", message(false, "claude-sonnet-4-5-20250929"), "x-request-id", "r-plain", "x-api-key", KEY);
    gw.emulator.enqueue(Scenario.text("One", " two"));
    gw.postJson("/v1/messages", message(true, "claude-sonnet-4-5-20250929"), "x-request-id", "r-stream", "x-api-key", KEY);
    gw.emulator.enqueue(Scenario.throttled429(), Scenario.text("after failover"));
    gw.postJson("/v1/chat/completions", new JsonObject().put("model", "gpt-4o")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))),
        "x-request-id", "r-failover", "authorization", "Bearer " + KEY);
    gw.postJson("/v1/messages", message(false, "x"), "x-request-id", "r-unauthorized");
    gw.postJson("/v1/messages", new JsonObject().put("model", "x"), "x-request-id", "r-bad", "x-api-key", KEY);
    gw.postJson("/nowhere", new JsonObject(), "x-request-id", "r-404");
    gw.postJson("/v1/messages", message(false, "x"), "x-request-id", "r-last", "x-api-key", KEY);
    access.await(e -> "r-last".equals(fields(e).get("requestId")), "for the last request");

    Map<String, Map<String, Object>> byId = new HashMap<>();
    for (ILoggingEvent e : access.events) {
      assertThat(e.getLevel()).isEqualTo(Level.INFO);
      Map<String, Object> f = fields(e);
      if ("/v2/accounts".equals(f.get("path"))) continue; // the fixture's account setup may still be logging
      assertThat(byId.put((String) f.get("requestId"), f)).as("second line for %s", f.get("requestId")).isNull();
    }
    assertThat(byId).containsOnlyKeys("r-plain", "r-stream", "r-failover", "r-unauthorized", "r-bad", "r-404", "r-last");

    Map<String, Object> plain = byId.get("r-plain");
    assertThat(plain).containsEntry("method", "POST").containsEntry("path", "/v1/messages").containsEntry("status", 200)
        .containsEntry("api", "anthropic").containsEntry("model", "claude-sonnet-4.5").containsEntry("attempts", 1)
        .containsEntry("client", "127.0.0.1").containsKeys("durationMs", "accountId", "inputTokens", "outputTokens")
        .doesNotContainKey("ttftMs");
    assertThat((Integer) plain.get("outputTokens")).isPositive();
    assertThat((Integer) plain.get("inputTokens")).isPositive();

    Map<String, Object> stream = byId.get("r-stream");
    assertThat(stream).containsEntry("status", 200).containsKeys("ttftMs", "outputTokens", "accountId");
    assertThat((Double) stream.get("ttftMs")).isLessThanOrEqualTo((Double) stream.get("durationMs"));

    Map<String, Object> failover = byId.get("r-failover");
    assertThat(failover).containsEntry("api", "openai").containsEntry("status", 200).containsEntry("attempts", 2)
        .containsEntry("model", "claude-sonnet-4.5");

    assertThat(byId.get("r-unauthorized")).containsEntry("status", 401).containsEntry("api", "anthropic")
        .doesNotContainKeys("accountId", "model");
    assertThat(byId.get("r-bad")).containsEntry("status", 400);
    assertThat(byId.get("r-404")).containsEntry("status", 404).doesNotContainKey("api");

    // the failover's warning names its request through the MDC; no line carries a key or the prompt
    ILoggingEvent warn = all.await(e -> e.getFormattedMessage().contains("upstream failure"), "about the failover");
    assertThat(warn.getMDCPropertyMap()).containsEntry("requestId", "r-failover");
    for (ILoggingEvent e : all.events) {
      assertThat(e.getFormattedMessage()).doesNotContain(KEY).doesNotContain("secret prompt");
    }
  }

  private static Map<String, Object> fields(ILoggingEvent e) {
    Map<String, Object> out = new HashMap<>();
    List<KeyValuePair> kvs = e.getKeyValuePairs();
    if (kvs != null) kvs.forEach(kv -> out.put(kv.key, kv.value));
    return out;
  }
}
