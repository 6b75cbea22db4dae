package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The error taxonomy ({@code UpstreamError.Kind}), row by row, against the emulator: what the
 * client sees, what happens to the account, and whether the request fails over.
 *
 * <p>Each row runs with two accounts that both answer with the row's error (a sticky scenario per
 * OIDC client), so the number of upstream calls shows the failover decision deterministically:
 * a retryable error is tried on both accounts (then the last error reaches the client), a client
 * error stops after one. MAX_ATTEMPTS is 3, more than the two accounts.
 */
@ExtendWith(VertxExtension.class)
class ErrorTaxonomyTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  enum Effect { NONE, COUNT_ERROR, COOLDOWN, PARK, DISABLE }

  static final UUID SUSPENDED_USER = UUID.fromString("6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f");

  /**
   * @param calls     upstream chat requests expected (-1: unobservable, the upstream is unreachable)
   * @param hitBoth   whether both accounts were used (failover), else only the first one
   * @param holdSecs  {min, max} seconds of the expected cooldown, or null
   */
  record Row(String name, Supplier<Scenario> scenario, Map<String, String> env, int status, String type,
      String message, int calls, boolean hitBoth, Effect effect, String reason, long[] holdSecs, String retryAfter) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, Supplier<Scenario> scenario, int status, String type, String message, int calls,
      Effect effect, String reason, long... holdSecs) {
    return new Row(name, scenario, Map.of(), status, type, message, calls, calls != 1, effect, reason,
        holdSecs.length == 0 ? null : holdSecs, null);
  }

  static Stream<Row> rows() {
    return Stream.of(
        // token rejected: refreshed once (forced) and retried on the same account; here the refresh
        // does not help, so each account is tried twice, counted once, and the request fails over
        row("403 bearer token invalid", Scenario::bearerInvalid403, 502, "api_error", "credentials", 4,
            Effect.COUNT_ERROR, null),
        row("403 TEMPORARILY_SUSPENDED", () -> Scenario.suspended403(SUSPENDED_USER), 503, "overloaded_error",
            "suspended", 2, Effect.DISABLE, "suspended"),
        row("400 MONTHLY_REQUEST_COUNT", () -> Scenario.monthlyQuota(400), 429, "rate_limit_error", "quota", 2,
            Effect.PARK, "quota_exhausted"),
        row("402 MONTHLY_REQUEST_COUNT", () -> Scenario.monthlyQuota(402), 429, "rate_limit_error", "quota", 2,
            Effect.PARK, "quota_exhausted"),
        row("429 MONTHLY_REQUEST_COUNT", () -> Scenario.monthlyQuota(429), 429, "rate_limit_error", "quota", 2,
            Effect.PARK, "quota_exhausted"),
        new Row("429 throttled with retry-after", () -> Scenario.throttled429(7), Map.of(), 429, "rate_limit_error",
            "rate limit", 2, true, Effect.COOLDOWN, "throttled", new long[] {7, 8}, "7"),
        row("429 throttled without retry-after", Scenario::throttled429, 429, "rate_limit_error", "rate limit", 2,
            Effect.COOLDOWN, "throttled", 60, 67),
        row("429 suspicious activity", Scenario::suspicious429, 429, "rate_limit_error", "temporarily limited", 2,
            Effect.COOLDOWN, "suspicious_activity", 1800, 1981),
        row("429 INSUFFICIENT_MODEL_CAPACITY", Scenario::capacity429, 529, "overloaded_error", "overloaded", 2,
            Effect.COOLDOWN, "capacity", 15, 17),
        row("500 unexpectedly high load", Scenario::internal500, 529, "overloaded_error", "overloaded", 2,
            Effect.COOLDOWN, "capacity", 15, 17),
        row("503 ServiceUnavailableException",
            () -> Scenario.httpError(503, Scenario.body("Service unavailable", null), "ServiceUnavailableException"),
            502, "api_error", "service error", 2, Effect.COOLDOWN, "server_error", 15, 17),
        row("400 CONTENT_LENGTH_EXCEEDS_THRESHOLD", Scenario::contentTooLong400, 400, "invalid_request_error",
            "prompt is too long", 1, Effect.NONE, null),
        row("400 Improperly formed request", Scenario::malformed400, 400, "invalid_request_error",
            "improperly formed", 1, Effect.NONE, null),
        row("400 INVALID_MODEL_ID",
            () -> Scenario.httpError(400, Scenario.body("Invalid model", "INVALID_MODEL_ID"), "ValidationException"),
            400, "invalid_request_error", "model", 2, Effect.NONE, null),
        row("403 other access denied",
            () -> Scenario.httpError(403, Scenario.body("Not allowed", "FEATURE_NOT_SUPPORTED"), "AccessDeniedException"),
            502, "api_error", "denied", 2, Effect.COUNT_ERROR, null),
        row("404 unknown error", () -> Scenario.httpError(404, Scenario.body("?", null), null), 502, "api_error",
            "Unexpected upstream error", 1, Effect.COUNT_ERROR, null),
        row("exception frame before any content",
            () -> Scenario.exceptionAfter(0, "ThrottlingException", "{\"message\":\"Too many requests\"}"),
            429, "rate_limit_error", "rate limit", 2, Effect.COOLDOWN, "throttled", 60, 67),
        row("stream without content", Scenario::text, 502, "api_error", "malformed response stream", 2,
            Effect.COUNT_ERROR, null),
        new Row("read timeout before headers", () -> Scenario.hangBeforeHeaders(-1),
            Map.of("UPSTREAM_IDLE_TIMEOUT_MS", "400"), 504, "timeout_error", "did not answer in time", 2, true,
            Effect.COOLDOWN, "timeout", new long[] {15, 17}, null),
        new Row("connection refused", Scenario::defaultText, Map.of("AMAZONQ_ENDPOINT", "http://127.0.0.1:1/"), 502,
            "api_error", "Cannot reach", -1, true, Effect.NONE, null, null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void taxonomyRow(Row row, Vertx vertx) {
    Map<String, String> env = new HashMap<>(Map.of("COOLDOWN_SECONDS", "60", "SHORT_COOLDOWN_SECONDS", "15",
        "LONG_COOLDOWN_SECONDS", "1800", "MAX_ATTEMPTS", "3"));
    env.putAll(row.env());
    gw = TestGateway.start(vertx, dir, env);
    Credentials a = gw.addAccount();
    Credentials b = gw.addAccount();
    gw.emulator.scenarioForClient(a.clientId(), row.scenario().get());
    gw.emulator.scenarioForClient(b.clientId(), row.scenario().get());
    Instant before = Instant.now();

    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    Instant after = Instant.now();

    assertThat(r.status()).as(r.body().toString()).isEqualTo(row.status());
    JsonObject error = r.json().getJsonObject("error");
    assertThat(r.json().getString("type")).isEqualTo("error");
    assertThat(error.getString("type")).isEqualTo(row.type());
    assertThat(error.getString("message")).containsIgnoringCase(row.message());
    // upstream internals never reach the client
    assertThat(r.body().toString()).doesNotContain(SUSPENDED_USER.toString(), "User ID", "Exception", "arn:");
    if (row.retryAfter() != null) assertThat(r.headers().get("retry-after")).isEqualTo(row.retryAfter());

    List<RecordedRequest> calls = gw.emulator.chatRequests();
    if (row.calls() >= 0) assertThat(calls).as("upstream calls").hasSize(row.calls());
    List<Credentials> hit = row.hitBoth() ? List.of(a, b)
        : List.of(a.accessToken().equals(calls.get(0).token()) ? a : b);
    for (Credentials c : List.of(a, b)) {
      JsonObject account = gw.account(c.clientId());
      if (hit.contains(c)) assertEffect(row, account, before, after);
      else assertUntouched(account);
    }
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  private static void assertEffect(Row row, JsonObject account, Instant before, Instant after) {
    JsonObject other = account.getJsonObject("other");
    switch (row.effect()) {
      case NONE -> assertUntouched(account);
      case COUNT_ERROR -> {
        assertThat(account.getInteger("error_count")).isEqualTo(1);
        assertThat(account.getString("state")).isEqualTo("active");
      }
      case COOLDOWN -> {
        assertThat(account.getInteger("error_count")).isEqualTo(1);
        assertThat(account.getString("state")).isEqualTo("cooldown");
        assertThat(other.getString("cooldownReason")).isEqualTo(row.reason());
        assertThat(Instant.parse(other.getString("cooldownUntil")))
            .isBetween(before.plusSeconds(row.holdSecs()[0]).minusMillis(5), after.plusSeconds(row.holdSecs()[1]));
      }
      case PARK -> {
        assertThat(account.getInteger("error_count")).isEqualTo(1);
        assertThat(account.getString("state")).isEqualTo("parked");
        assertThat(other.getString("parkedReason")).isEqualTo(row.reason());
        Instant nextMonth = ZonedDateTime.now(ZoneOffset.UTC).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS)
            .plusMonths(1).toInstant();
        assertThat(Instant.parse(other.getString("parkedUntil"))).isEqualTo(nextMonth);
      }
      case DISABLE -> {
        assertThat(account.getBoolean("enabled")).isFalse();
        assertThat(account.getString("state")).isEqualTo("disabled");
        assertThat(other.getString("disabledReason")).isEqualTo(row.reason());
        assertThat(account.getInteger("error_count")).isEqualTo(1);
      }
    }
  }

  private static void assertUntouched(JsonObject account) {
    assertThat(account.getInteger("error_count")).as("error_count").isZero();
    assertThat(account.getInteger("success_count")).isZero();
    assertThat(account.getBoolean("enabled")).isTrue();
    assertThat(account.getString("state")).isEqualTo("active");
  }
}
