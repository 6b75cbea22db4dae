package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two qbridge instances (two Vert.x instances: separate event buses, pools and caches, as two
 * processes would have) on one PostgreSQL database, in front of one emulator.
 */
@ExtendWith(VertxExtension.class)
class MultiInstanceEndToEndTest {
  /** The documented bound within which every instance honours a change of who may serve. */
  private static final long STALENESS_BOUND_MS = 2000;

  @TempDir Path dir;
  private PostgresServer server;
  private Vertx vertxB;
  private TestGateway a;
  private TestGateway b;
  private Process nginx;

  @BeforeEach
  void twoInstances(Vertx vertx, TestInfo test) throws Exception {
    server = PostgresServer.shared();
    String url = server.url(server.createDatabase("e2e_" + test.getTestMethod().orElseThrow().getName()));
    Map<String, String> env = Map.of("DATABASE_URL", url);
    a = TestGateway.start(vertx, Files.createDirectories(dir.resolve("a")), env);
    vertxB = Vertx.vertx();
    b = TestGateway.startAnother(vertxB, a, Files.createDirectories(dir.resolve("b")), env);
  }

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      nginx.destroy();
      nginx.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }
    if (b != null) b.close();
    if (a != null) a.close();
    if (vertxB != null) vertxB.close().await();
  }

  private static TestGateway.Response message(TestGateway gw) {
    return gw.postJson("/v1/messages", MessagesEndToEndTest.body(false));
  }

  private static long callsWith(List<RecordedRequest> calls, Credentials c) {
    return calls.stream().filter(r -> c.accessToken().equals(r.token())).count();
  }

  private static void patch(TestGateway gw, String id, String json, int expectedStatus) {
    TestGateway.Response r = gw.request(HttpMethod.PATCH, "/v2/accounts/" + id, Buffer.buffer(json), "application/json");
    assertThat(r.status()).as(r.body().toString()).isEqualTo(expectedStatus);
  }

  private static List<String> accessLog(Path prefix) {
    try {
      return Files.readAllLines(prefix.resolve("logs/access.log"));
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  /** One Messages request to {@code port} (nginx), from A's client on A's context. */
  private TestGateway.Response viaNginx(int port) {
    try {
      return a.<TestGateway.Response>onContext(() -> a.http.request(new io.vertx.core.http.RequestOptions()
              .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/v1/messages")
              .putHeader("content-type", "application/json"))
          .compose(req -> req.send(MessagesEndToEndTest.body(false).toBuffer()))
          .compose(resp -> resp.body().map(body -> new TestGateway.Response(resp.statusCode(), resp.headers(), body))))
          .await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer through nginx within 30 s");
    }
  }

  /** Polls {@code condition} every few milliseconds for up to 10 s. */
  private static void pollUntil(String what, java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 10 s: " + what);
      try {
        Thread.sleep(5); // a polling interval, not a wait for the outcome
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void sixtyPlusSixtyConcurrentRequestsOnTwoInstancesAreCountedExactly() {
    List<Credentials> accounts = List.of(a.addAccount(), a.addAccount(), a.addAccount());
    JsonObject body = MessagesEndToEndTest.body(false);
    CompletableFuture<List<TestGateway.Response>> onA = CompletableFuture.supplyAsync(() -> a.postConcurrently("/v1/messages", body, 60));
    List<TestGateway.Response> onB = b.postConcurrently("/v1/messages", body, 60);
    List<TestGateway.Response> all = new ArrayList<>(onA.join());
    all.addAll(onB);
    assertThat(all).allSatisfy(r -> assertThat(r.status()).as(r.body().toString()).isEqualTo(200));

    assertThat(a.awaitNoActiveLeases()).isZero();
    assertThat(b.awaitNoActiveLeases()).isZero();
    // each success is counted when its lease is released, just after the answer: wait for the last ones
    java.util.function.IntSupplier successes =
        () -> accounts.stream().mapToInt(c -> b.account(c.clientId()).getInteger("success_count")).sum();
    pollUntil("120 successes counted", () -> successes.getAsInt() >= 120);
    assertThat(successes.getAsInt()).isEqualTo(120);
    assertThat(a.emulator.chatRequests()).hasSize(120);
  }

  @Test
  void anAccountDisabledOnAIsNoLongerUsedByBWithinTheBound() {
    Credentials x = a.addAccount();
    Credentials y = a.addAccount();
    for (int i = 0; i < 4; i++) assertThat(message(b).status()).isEqualTo(200); // B's view is loaded and in use

    patch(a, a.account(x.clientId()).getString("id"), "{\"enabled\":false}", 200);
    Instant disabled = Instant.now();
    int afterBound = 0;
    while (afterBound < 10) {
      boolean late = Instant.now().isAfter(disabled.plusMillis(STALENESS_BOUND_MS)); // sent after the bound
      assertThat(message(b).status()).isEqualTo(200);
      if (late) afterBound++;
    }
    List<RecordedRequest> late = a.emulator.chatRequests().stream()
        .filter(r -> r.time().isAfter(disabled.plusMillis(STALENESS_BOUND_MS))).toList();
    assertThat(late).hasSizeGreaterThanOrEqualTo(10);
    assertThat(callsWith(late, x)).isZero();
    assertThat(callsWith(late, y)).isEqualTo(late.size());
  }

  @Test
  void aSuspensionSeenByAIsNeverCalledByB() {
    Credentials suspended = a.addAccount();
    Credentials healthy = a.addAccount();
    for (int i = 0; i < 4; i++) assertThat(message(b).status()).isEqualTo(200); // B's view holds both accounts
    a.emulator.scenarioForClient(suspended.clientId(), Scenario.suspended403()); // the suspension starts now
    long beforeA = callsWith(a.emulator.chatRequests(), suspended);

    int sent = 0;
    while (callsWith(a.emulator.chatRequests(), suspended) == beforeA && sent++ < 40) {
      assertThat(message(a).status()).isEqualTo(200); // fails over to the healthy account
    }
    assertThat(callsWith(a.emulator.chatRequests(), suspended)).isEqualTo(beforeA + 1);
    // A stored the suspension (the admin API reads the database)
    pollUntil("the suspension is stored", () -> !b.account(suspended.clientId()).getBoolean("enabled"));
    assertThat(b.account(suspended.clientId()).getString("state")).isEqualTo("disabled");

    long calls = callsWith(a.emulator.chatRequests(), suspended);
    for (int i = 0; i < 20; i++) assertThat(message(b).status()).isEqualTo(200);
    assertThat(callsWith(a.emulator.chatRequests(), suspended)).isEqualTo(calls);
    assertThat(callsWith(a.emulator.chatRequests(), healthy)).isGreaterThanOrEqualTo(20);
  }

  @Test
  void postgresRestartedUnderLoadServiceContinuesAndResumesWithoutARestart() throws Exception {
    Credentials one = a.addAccount();
    Credentials two = a.addAccount();
    for (int i = 0; i < 4; i++) {
      assertThat(message(a).status()).isEqualTo(200);
      assertThat(message(b).status()).isEqualTo(200);
    }

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    List<CompletableFuture<Void>> load = new ArrayList<>();
    for (TestGateway gw : List.of(a, b)) {
      load.add(CompletableFuture.runAsync(() -> {
        while (running.get()) {
          TestGateway.Response r = message(gw);
          if (r.status() == 200) ok.incrementAndGet();
          else failures.add(r.status() + " " + r.body());
        }
      }));
    }
    server.stop();
    int beforeOutage = ok.get();
    // while PostgreSQL is down: requests are served from the last known pool state ...
    pollUntil("20 requests served while PostgreSQL is down", () -> ok.get() >= beforeOutage + 20);
    // ... and admin writes fail clearly, in the admin error shape
    TestGateway.Response write = a.request(HttpMethod.PATCH, "/v2/accounts/no-such-id",
        Buffer.buffer("{\"label\":\"x\"}"), "application/json");
    assertThat(write.status()).isEqualTo(503);
    assertThat(write.json().getJsonObject("error").getString("message")).isNotBlank();
    server.start();

    // recovery without a restart: counters move again, admin writes work again
    String id = a.account(one.clientId()).getString("id");
    int countedBefore = a.account(one.clientId()).getInteger("success_count") + a.account(two.clientId()).getInteger("success_count");
    pollUntil("20 more successes counted after the restart", () -> a.account(one.clientId()).getInteger("success_count")
        + a.account(two.clientId()).getInteger("success_count") >= countedBefore + 20);
    running.set(false);
    CompletableFuture.allOf(load.toArray(CompletableFuture[]::new)).join();
    patch(b, id, "{\"label\":\"after-restart\"}", 200);
    assertThat(a.account(one.clientId()).getString("label")).isEqualTo("after-restart");
    assertThat(failures).isEmpty();

    // the coordination tables work again too: a forced refresh takes the shared refresh lock, and a
    // device login started on one instance is read on the other
    TestGateway.Response refreshed = b.request(HttpMethod.POST, "/v2/accounts/" + id + "/refresh", null, null);
    assertThat(refreshed.status()).as(refreshed.body().toString()).isEqualTo(200);
    TestGateway.Response started = b.postJson("/v2/auth/start", new JsonObject().put("label", "after-restart"));
    assertThat(started.status()).as(started.body().toString()).isEqualTo(200);
    TestGateway.Response status = a.request(HttpMethod.GET, "/v2/auth/status/" + started.json().getString("authId"), null, null);
    assertThat(status.status()).as(status.body().toString()).isEqualTo(200);
    assertThat(status.json().getString("status")).isEqualTo("pending");
  }

  @Test
  void theScaleNginxConfSpreadsRequestsAndSurvivesALostInstance() throws Exception {
    Path binary = Path.of("/usr/sbin/nginx");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(binary), "nginx is not installed (.ci/run installs it)");
    Credentials account = a.addAccount();
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path prefix = Files.createDirectories(dir.resolve("nginx/logs")).getParent();
    // the shipped file, with the compose service names replaced by the two test instances
    Files.writeString(prefix.resolve("site.conf"), Files.readString(Path.of("conf/nginx/qbridge-scale.conf"))
        .replace("server qbridge-a:8000", "server 127.0.0.1:" + a.app.port())
        .replace("server qbridge-b:8000", "server 127.0.0.1:" + b.app.port())
        .replace("listen 80;", "listen 127.0.0.1:" + port + ";"));
    Files.writeString(prefix.resolve("nginx.conf"), """
        daemon off;
        worker_processes 1;
        pid %1$s/nginx.pid;
        error_log %1$s/logs/error.log warn;
        events { worker_connections 256; }
        http {
          log_format upstream '$upstream_addr $status';
          access_log %1$s/logs/access.log upstream;
          client_body_temp_path %1$s/body;
          proxy_temp_path %1$s/proxy;
          include site.conf;
        }
        """.formatted(prefix));
    nginx = new ProcessBuilder(binary.toString(), "-p", prefix.toString(), "-c", "nginx.conf")
        .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
    int listening = port;
    pollUntil("nginx listens", () -> {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", listening)) {
        return true;
      } catch (java.io.IOException notYet) {
        if (!nginx.isAlive()) throw new IllegalStateException("nginx exited");
        return false;
      }
    });

    String portA = "127.0.0.1:" + a.app.port();
    String portB = "127.0.0.1:" + b.app.port();
    for (int i = 0; i < 10; i++) assertThat(viaNginx(port).status()).isEqualTo(200);
    pollUntil("nginx logged 10 requests", () -> accessLog(prefix).size() >= 10);
    // round-robin: both instances served a share
    assertThat(accessLog(prefix)).anySatisfy(l -> assertThat(l).startsWith(portA + " 200"))
        .anySatisfy(l -> assertThat(l).startsWith(portB + " 200"));

    b.close(); // one instance goes away: nginx passes its share to the other on the connect failure
    b = null;
    for (int i = 0; i < 10; i++) assertThat(viaNginx(port).status()).isEqualTo(200);
    pollUntil("20 successes counted", () -> a.account(account.clientId()).getInteger("success_count") >= 20);
    assertThat(a.account(account.clientId()).getInteger("success_count")).isEqualTo(20);
  }
}
