package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Scenario;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * ACCOUNT_MAX_CONCURRENCY across instances when one dies: instance A (a separate JVM running
 * {@code io.qbridge.Main}) holds an account with a stream and is killed with SIGKILL, so nothing of
 * it says goodbye. Instance B (in this JVM, same PostgreSQL database) keeps serving on the other
 * account at once, counts A's lease while it is fresh, and may use A's account again within
 * {@code LeaseLedger.STALE_MS} (30 s) of the kill. Skipped when PostgreSQL is not installed.
 */
@ExtendWith(VertxExtension.class)
class KilledInstanceTest {

  /** The bound the README promises (the assertion allows the slack of this test's probes on top). */
  static final long BOUND_MS = 30_000;
  static final long PROBE_MS = 500;

  @TempDir Path dir;
  Process childA;
  TestGateway b;
  Vertx vertxB;
  AmazonQEmulator emu;

  @AfterEach
  void stop() throws Exception {
    if (childA != null) childA.destroyForcibly().waitFor();
    if (b != null) b.close();
    if (vertxB != null) vertxB.close().await();
    if (emu != null) emu.close().await();
  }

  @Test
  void aKilledInstancesLeaseStopsCountingWithinTheBoundWhileTheOtherKeepsServing(Vertx vertx) throws Exception {
    PostgresServer server = PostgresServer.shared();
    String database = server.createDatabase("killed");
    emu = AmazonQEmulator.start(vertx).await();
    // streams outlive the bound: an upstream idle timeout would end B's held stream (and free its account) first
    Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", server.url(database), "ACCOUNT_MAX_CONCURRENCY", "1",
        "UPSTREAM_IDLE_TIMEOUT_MS", "130000", "SHUTDOWN_GRACE_SECONDS", "0"));
    vertxB = Vertx.vertx();
    b = TestGateway.startSharing(vertxB, emu, Files.createDirectories(dir.resolve("b")), env);
    b.addAccount();
    b.addAccount();

    int portA = startChild(env);
    Scenario held = Scenario.builder().text("first words").silence(120_000).text("never").build();
    emu.enqueue(held);
    HttpClientAgent client = vertx.createHttpClient();
    streamUntilFirstBytes(vertx, client, portA);
    childA.destroyForcibly();
    assertThat(childA.waitFor(10, TimeUnit.SECONDS)).isTrue();
    long killedAt = System.nanoTime();

    // B serves at once, on the account A did not hold
    assertThat(b.postJson("/v1/messages", SeveralInstancesTest.chat()).status()).isEqualTo(200);
    // B holds that account with a stream of its own: only A's account is left, still counted as A's
    emu.enqueue(held);
    HttpClientResponse bStream = b.openStream("/v1/messages", SeveralInstancesTest.chat().put("stream", true))
        .await(20, TimeUnit.SECONDS);
    assertThat(bStream.statusCode()).isEqualTo(200);
    TestGateway.Response busy = b.postJson("/v1/messages", SeveralInstancesTest.chat());
    assertThat(busy.status()).as("A's lease still counts right after the kill").isEqualTo(503);

    long freedAfterMs = -1;
    while (System.nanoTime() - killedAt < TimeUnit.MILLISECONDS.toNanos(BOUND_MS + 5_000)) {
      if (b.postJson("/v1/messages", SeveralInstancesTest.chat()).status() == 200) {
        freedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        break;
      }
      Thread.sleep(PROBE_MS);
    }
    // A renewed its lease at most one heartbeat (10 s) before the kill: it stops counting 20 to 30 s after it
    assertThat(freedAfterMs).as("ms from the kill until A's account served again").isBetween(15_000L, BOUND_MS + 2 * PROBE_MS);

    // B's next heartbeat deletes A's stale row; B's own live stream stays
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    String rows = "";
    while (System.nanoTime() < deadline) {
      rows = server.psql(database, "SELECT count(*) FROM account_leases").trim();
      if (rows.equals("1")) break;
      Thread.sleep(PROBE_MS);
    }
    assertThat(rows).isEqualTo("1");
    client.close().await();
  }

  /** Starts instance A as {@code io.qbridge.Main} in its own JVM; its port, from its "listening" log line. */
  private int startChild(Map<String, String> extra) throws Exception {
    Path work = Files.createDirectories(dir.resolve("a"));
    Map<String, String> env = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0", "HTTP_INSTANCES", "1",
        "AMAZONQ_ENDPOINT", emu.chatEndpoint(), "AMAZONQ_OIDC_ENDPOINT", emu.oidcEndpoint(),
        "UPSTREAM_CONNECT_TIMEOUT_MS", "2000", "QBRIDGE_TEST_LOG", "INFO", "TEMPLATES_DIR", Path.of("templates").toAbsolutePath().toString()));
    env.putAll(extra);
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "io.qbridge.Main"));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(work.toFile());
    pb.environment().putAll(env);
    childA = pb.start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(childA.getInputStream()))) {
        for (String line; (line = in.readLine()) != null; ) lines.offer(line);
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    }, "instance-a-output");
    reader.setDaemon(true);
    reader.start();
    Pattern listening = Pattern.compile("qbridge listening on http://[^:]+:(\\d+)");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        if (!childA.isAlive()) throw new AssertionError("instance A exited: " + String.join("\n", seen));
        continue;
      }
      seen.add(line);
      Matcher m = listening.matcher(line);
      if (m.find()) return Integer.parseInt(m.group(1));
    }
    throw new AssertionError("instance A did not start within 60 s: " + String.join("\n", seen));
  }

  /** A streamed request to A, waited for until its first bytes arrived (A holds its lease from then on). */
  private static void streamUntilFirstBytes(Vertx vertx, HttpClientAgent client, int port) throws Exception {
    Promise<Void> firstBytes = Promise.promise();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/messages").putHeader("content-type", "application/json");
    JsonObject body = SeveralInstancesTest.chat().put("stream", true);
    vertx.runOnContext(v -> client.request(o).compose(req -> req.send(body.toBuffer()))
        .onSuccess(resp -> {
          if (resp.statusCode() != 200) firstBytes.tryFail("instance A answered " + resp.statusCode());
          resp.handler(chunk -> firstBytes.tryComplete());
          resp.exceptionHandler(err -> { }); // A is about to be killed
        })
        .onFailure(firstBytes::tryFail));
    firstBytes.future().await(30, TimeUnit.SECONDS);
  }
}
