package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pool through the HTTP API: failover, stats under concurrency, lease accounting, "why no account". */
@ExtendWith(VertxExtension.class)
class AccountPoolEndToEndTest {

  @TempDir Path dir;
  TestGateway gw;

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  private static long callsWith(List<RecordedRequest> calls, Credentials c) {
    return calls.stream().filter(r -> c.accessToken().equals(r.token())).count();
  }

  @Test
  void requestsFailOverFromThrottledAndSuspendedAccountsAndTheRightAccountsAreHeld(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("COOLDOWN_SECONDS", "60"));
    Credentials throttled = gw.addAccount();
    Credentials suspended = gw.addAccount();
    Credentials healthy = gw.addAccount();
    gw.emulator.scenarioForClient(throttled.clientId(), Scenario.throttled429());
    gw.emulator.scenarioForClient(suspended.clientId(), Scenario.suspended403());

    // random picks: go on until both bad accounts have been tried (each at most once, then held)
    int requests = 0;
    while (requests < 60 && (callsWith(gw.emulator.chatRequests(), throttled) == 0
        || callsWith(gw.emulator.chatRequests(), suspended) == 0 || requests < 10)) {
      TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(requests % 2 == 0));
      assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
      requests++;
    }

    List<RecordedRequest> calls = gw.emulator.chatRequests();
    assertThat(callsWith(calls, throttled)).isEqualTo(1);
    assertThat(callsWith(calls, suspended)).isEqualTo(1);
    assertThat(callsWith(calls, healthy)).isEqualTo(requests);
    JsonObject t = gw.account(throttled.clientId());
    assertThat(t.getString("state")).isEqualTo("cooldown");
    assertThat(t.getJsonObject("other").getString("cooldownReason")).isEqualTo("throttled");
    assertThat(t.getInteger("error_count")).isEqualTo(1);
    JsonObject s = gw.account(suspended.clientId());
    assertThat(s.getBoolean("enabled")).isFalse();
    assertThat(s.getJsonObject("other").getString("disabledReason")).isEqualTo("suspended");
    JsonObject h = gw.account(healthy.clientId());
    assertThat(h.getInteger("success_count")).isEqualTo(requests);
    assertThat(h.getInteger("error_count")).isZero();
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void noFailoverAfterTheFirstByte(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials a = gw.addAccount();
    Credentials b = gw.addAccount();
    Scenario midStreamError = Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}");
    gw.emulator.scenarioForClient(a.clientId(), midStreamError);
    gw.emulator.scenarioForClient(b.clientId(), midStreamError);

    TestGateway.Response r = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));

    assertThat(r.status()).isEqualTo(200);
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(SseParser.names(events)).contains("content_block_delta").endsWith("error");
    assertThat(gw.emulator.chatRequests()).as("one upstream request only").hasSize(1);
    // the in-stream error still reaches the pool: the account that produced it cools down
    Credentials used = a.accessToken().equals(gw.emulator.chatRequests().get(0).token()) ? a : b;
    assertThat(gw.account(used.clientId()).getString("state")).isEqualTo("cooldown");
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void countersAreExactUnderHundredsOfConcurrentHttpRequests(Vertx vertx) {
    gw = TestGateway.start(vertx, dir, Map.of("MAX_ERROR_COUNT", "1000000"));
    List<Credentials> accounts = List.of(gw.addAccount(), gw.addAccount(), gw.addAccount());
    int n = 300;

    List<TestGateway.Response> ok = gw.postConcurrently("/v1/messages", MessagesEndToEndTest.body(false), n);
    assertThat(ok).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
    assertThat(sum(accounts, "success_count")).isEqualTo(n);
    assertThat(sum(accounts, "error_count")).isZero();

    // an unknown upstream error counts against the account and does not fail over: one error per request
    for (int i = 0; i < n; i++) gw.emulator.enqueue(Scenario.httpError(404, Scenario.body("?", null), null));
    List<TestGateway.Response> failed = gw.postConcurrently("/v1/messages", MessagesEndToEndTest.body(false), n);
    assertThat(failed).allSatisfy(r -> assertThat(r.status()).isEqualTo(502));
    assertThat(sum(accounts, "error_count")).isEqualTo(n);
    assertThat(sum(accounts, "success_count")).isEqualTo(n);
    assertThat(gw.emulator.chatRequests()).hasSize(2 * n);
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  private int sum(List<Credentials> accounts, String field) {
    return accounts.stream().mapToInt(c -> gw.account(c.clientId()).getInteger(field)).sum();
  }

  @Test
  void everyLeaseIsReleasedWhateverHappens(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir, Map.of("UPSTREAM_IDLE_TIMEOUT_MS", "400", "SHORT_COOLDOWN_SECONDS", "0",
        "COOLDOWN_SECONDS", "0"));
    Credentials a = gw.addAccount();
    gw.addAccount();
    gw.emulator.enqueue(Scenario.text("ok"), Scenario.throttled429(), Scenario.text("after failover"),
        Scenario.hangBeforeHeaders(-1), Scenario.text("after timeout"), Scenario.contentTooLong400(),
        Scenario.cutMidFrame(1));
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(true)).status()).isEqualTo(200);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(200); // 429 → failover
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(200); // timeout → failover
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(400);
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(true)).status()).isEqualTo(200); // cut mid-stream
    gw.emulator.oidc().expireAccessToken(a.accessToken());
    for (int i = 0; i < 4; i++) assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(200);
    assertThat(gw.awaitNoActiveLeases()).isZero();

    // client disconnects: before the upstream answered, and mid-stream
    gw.emulator.enqueue(Scenario.hangBeforeHeaders(-1));
    var closed = gw.emulator.nextStreamClosedByPeer();
    int before = gw.emulator.chatRequests().size();
    var pending = gw.http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
        .setPort(gw.app.port()).setURI("/v1/messages").putHeader("content-type", "application/json")).await();
    pending.send(MessagesEndToEndTest.body(true).toBuffer());
    // wait for the request that hangs: an attempt with the still-expired token of the first account
    // (when no earlier request happened to refresh it) is answered 403 at once and does not hang
    long deadline = System.currentTimeMillis() + 5000;
    while (!hangingRequestArrived(before) && System.currentTimeMillis() < deadline) Thread.sleep(10);
    int arrived = gw.emulator.chatRequests().size();
    pending.connection().close();
    closed.await(3, TimeUnit.SECONDS);
    assertThat(gw.emulator.chatRequests().size()).as("no retry for a client that left").isEqualTo(arrived);

    String[] ticks = new String[100];
    java.util.Arrays.fill(ticks, "tick ");
    gw.emulator.enqueue(Scenario.builder().eventDelayMs(30).text(ticks).build());
    HttpClientResponse resp = gw.openStream("/v1/messages", MessagesEndToEndTest.body(true)).await();
    Promise<Void> firstBytes = Promise.promise();
    resp.handler(b -> firstBytes.tryComplete());
    resp.resume();
    firstBytes.future().await(5, TimeUnit.SECONDS);
    var closedMidStream = gw.emulator.nextStreamClosedByPeer();
    resp.request().connection().close();
    closedMidStream.await(3, TimeUnit.SECONDS);

    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void whenEveryAccountCoolsDownClientsGet429WithTheSoonestRetryAfter(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    Credentials a = gw.addAccount();
    Credentials b = gw.addAccount();
    gw.emulator.scenarioForClient(a.clientId(), Scenario.throttled429(7));
    gw.emulator.scenarioForClient(b.clientId(), Scenario.throttled429(5));

    TestGateway.Response first = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(first.status()).isEqualTo(429);
    assertThat(first.headers().get("retry-after")).isIn("5", "7"); // the last account tried
    assertThat(gw.emulator.chatRequests()).hasSize(2);

    TestGateway.Response second = gw.postJson("/v1/messages", MessagesEndToEndTest.body(true));
    assertThat(second.status()).isEqualTo(429);
    assertThat(second.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
    assertThat(second.json().getJsonObject("error").getString("message")).contains("All accounts are rate limited");
    // the soonest cooldown end: b's 5 s (+ up to 10 % jitter), counted from the first request
    assertThat(Integer.parseInt(second.headers().get("retry-after"))).isBetween(1, 6);
    assertThat(gw.emulator.chatRequests()).as("no upstream call while all accounts cool down").hasSize(2);
    assertThat(gw.awaitNoActiveLeases()).isZero();
  }

  @Test
  void whenNoAccountIsUsableClientsGet503SayingWhy(Vertx vertx) throws Exception {
    gw = TestGateway.start(vertx, dir, Map.of("ACCOUNT_MAX_CONCURRENCY", "1"));
    Credentials quota = gw.addAccount();
    gw.emulator.scenarioForClient(quota.clientId(), Scenario.monthlyQuota(402));
    assertThat(gw.postJson("/v1/messages", MessagesEndToEndTest.body(false)).status()).isEqualTo(429);

    TestGateway.Response parked = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(parked.status()).isEqualTo(503);
    assertThat(parked.json().getJsonObject("error").getString("type")).isEqualTo("overloaded_error");
    assertThat(parked.json().getJsonObject("error").getString("message")).contains("exhausted their usage quota");

    // busy: one account, one slot, held by a slow request
    gw.request(HttpMethod.PATCH, "/v2/accounts/" + gw.account(quota.clientId()).getString("id"),
        io.vertx.core.buffer.Buffer.buffer("{\"enabled\":false}"), "application/json");
    Credentials slow = gw.addAccount();
    gw.emulator.scenarioForClient(slow.clientId(), Scenario.delayBeforeHeaders(1500, Scenario.text("slow")));
    var slowResponse = gw.openStream("/v1/messages", MessagesEndToEndTest.body(false));
    long deadline = System.currentTimeMillis() + 5000;
    while (gw.emulator.activeStreams() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(10);
    TestGateway.Response busy = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(busy.status()).isEqualTo(503);
    assertThat(busy.json().getJsonObject("error").getString("message")).contains("busy");
    assertThat(busy.headers().get("retry-after")).isEqualTo("1");
    assertThat(slowResponse.await().statusCode()).isEqualTo(200);

    // disabled: nothing enabled at all
    gw.request(HttpMethod.PATCH, "/v2/accounts/" + gw.account(slow.clientId()).getString("id"),
        io.vertx.core.buffer.Buffer.buffer("{\"enabled\":false}"), "application/json");
    TestGateway.Response none = gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
    assertThat(none.status()).isEqualTo(503);
    assertThat(none.json().getJsonObject("error").getString("message")).startsWith("No enabled account available").contains("POST /v2/accounts");
    assertThat(gw.awaitNoActiveLeases()).isZero();

    // re-enabling lifts the park too (the admin means "use it now")
    JsonObject reEnabled = gw.request(HttpMethod.PATCH, "/v2/accounts/" + gw.account(quota.clientId()).getString("id"),
        io.vertx.core.buffer.Buffer.buffer("{\"enabled\":true}"), "application/json").json();
    assertThat(reEnabled.getString("state")).isEqualTo("active");
    assertThat(reEnabled.getJsonObject("other").containsKey("parkedUntil")).isFalse();
  }

  /** A chat request after {@code index} that passed token validation (so the hang scenario got it). */
  private boolean hangingRequestArrived(int index) {
    var all = gw.emulator.chatRequests();
    for (int i = index; i < all.size(); i++) {
      if (gw.emulator.oidc().isAccessTokenValid(all.get(i).token())) return true;
    }
    return false;
  }
}
