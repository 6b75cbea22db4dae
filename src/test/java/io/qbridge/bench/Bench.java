package io.qbridge.bench;

import io.qbridge.QBridge;
import io.qbridge.config.AppConfig;
import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark: the Amazon Q emulator alone, then qbridge in front of it, in one run, so the cost of
 * qbridge is a ratio. Streaming /v1/messages with N concurrent clients. Prints requests/s,
 * time-to-first-token p50/p99 and peak heap / RSS.
 *
 * <p>Run: {@code mvn -Pbench -DskipTests verify} (or with -Dbench.requests=… -Dbench.concurrency=…).
 * Everything shares one JVM and the machine's cores, so compare ratios, not absolute numbers.
 */
public final class Bench {

  public static void main(String[] args) throws Exception {
    int requests = Integer.getInteger("bench.requests", 3000);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    int fragments = Integer.getInteger("bench.fragments", 40);
    Vertx vertx = Vertx.vertx();
    AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
    emu.setValidateTokens(false);
    String[] parts = new String[fragments];
    for (int i = 0; i < fragments; i++) parts[i] = "token" + i + " ";
    emu.setDefaultScenario(Scenario.text(parts));

    Path dir = Files.createTempDirectory("qbridge-bench");
    AppConfig config = TestGateway.config(vertx, emu, dir, java.util.Map.of());
    QBridge app = QBridge.deploy(vertx, config).await();
    HttpClientAgent client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(concurrency));
    for (int i = 0; i < 4; i++) addAccount(client, app.port(), emu.oidc().newAccount());

    JsonObject claudeBody = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 512).put("stream", true)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Tell me something")));
    JsonObject qBody = new JsonObject().put("conversationState", new JsonObject()
        .put("conversationId", "bench").put("chatTriggerType", "MANUAL")
        .put("currentMessage", new JsonObject().put("userInputMessage", new JsonObject().put("content", "Tell me something"))));

    RequestOptions direct = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(emu.chatEndpoint())
        .putHeader("content-type", "application/x-amz-json-1.0")
        .putHeader("x-amz-target", AmazonQEmulator.TARGET).putHeader("authorization", "Bearer bench");
    RequestOptions viaQbridge = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI("http://127.0.0.1:" + app.port() + "/v1/messages").putHeader("content-type", "application/json");

    // warm-up both paths (JIT, pools)
    run(client, direct, qBody.toBuffer(), Math.min(500, requests), concurrency);
    run(client, viaQbridge, claudeBody.toBuffer(), Math.min(500, requests), concurrency);

    Result emuOnly = run(client, direct, qBody.toBuffer(), requests, concurrency);
    Result gateway = run(client, viaQbridge, claudeBody.toBuffer(), requests, concurrency);

    System.out.printf("%nqbridge benchmark: %d streaming requests, concurrency %d, %d text fragments per answer%n",
        requests, concurrency, fragments);
    System.out.println(emuOnly.line("emulator alone"));
    System.out.println(gateway.line("through qbridge"));
    System.out.printf("ratio qbridge/emulator: throughput %.2f, TTFT p50 %.2f, TTFT p99 %.2f%n",
        gateway.rps / emuOnly.rps, gateway.p50 / emuOnly.p50, gateway.p99 / emuOnly.p99);
    System.out.printf("peak heap used %.1f MiB, peak RSS %s (whole JVM: emulator + qbridge + load generator)%n",
        peakHeapMiB() , peakRss());
    client.close().await();
    app.close().await();
    emu.close().await();
    vertx.close().await();
  }

  record Result(double rps, double p50, double p99, int errors) {
    String line(String label) {
      return String.format("%-16s %8.1f req/s   TTFT p50 %6.2f ms   p99 %6.2f ms   errors %d", label, rps, p50, p99, errors);
    }
  }

  static Result run(HttpClientAgent client, RequestOptions options, Buffer body, int total, int concurrency) {
    List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger started = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicLong bytes = new AtomicLong();
    Promise<Void> done = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    long t0 = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started.incrementAndGet() > total) return;
      long s = System.nanoTime();
      boolean[] first = {true};
      client.request(new RequestOptions(options))
          .compose(req -> req.send(body))
          .compose(resp -> {
            if (resp.statusCode() != 200) errors.incrementAndGet();
            resp.handler(b -> {
              if (first[0]) {
                first[0] = false;
                ttft.add((System.nanoTime() - s) / 1e6);
              }
              bytes.addAndGet(b.length());
            });
            return resp.end();
          })
          .onComplete(ar -> {
            if (ar.failed()) errors.incrementAndGet();
            if (finished.incrementAndGet() == total) done.tryComplete();
            else next[0].run();
          });
    };
    for (int i = 0; i < concurrency; i++) next[0].run();
    done.future().await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    List<Double> sorted = new ArrayList<>(ttft);
    Collections.sort(sorted);
    return new Result(total / seconds, pct(sorted, 0.50), pct(sorted, 0.99), errors.get());
  }

  static double pct(List<Double> sorted, double p) {
    if (sorted.isEmpty()) return Double.NaN;
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  static double peakHeapMiB() {
    long peak = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
    }
    return peak / 1024.0 / 1024.0;
  }

  static String peakRss() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) return line.substring(6).trim();
      }
    } catch (Exception ignored) {
      // not Linux
    }
    return "n/a";
  }

  static void addAccount(HttpClientAgent client, int port, Credentials c) {
    JsonObject body = new JsonObject().put("label", "bench").put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken());
    client.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI("http://127.0.0.1:" + port + "/v2/accounts")
            .putHeader("content-type", "application/json"))
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body())
        .await();
  }
}
