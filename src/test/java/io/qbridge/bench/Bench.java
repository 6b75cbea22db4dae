package io.qbridge.bench;

import io.qbridge.QBridge;
import io.qbridge.config.AppConfig;
import io.qbridge.bench.ChildProcess.ThreadKind;
import io.qbridge.e2e.TestGateway;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.qbridge.testsupport.PostgresServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark of qbridge against the Amazon Q emulator: the streamed {@code /v1/messages} request
 * (20 text chunks), the emulator alone and through qbridge, so the cost of qbridge is a ratio.
 *
 * <p>Modes ({@code -Dbench.mode=…}, comma-separated; default {@code load,slow,paused}):
 * <ul>
 *   <li>{@code load}: emulator and qbridge each in a JVM of their own (no shared heap, JIT profile
 *       or CPU account; qbridge from the shipped {@code target/qbridge.jar}); a warm-up until
 *       qbridge's JIT compiler has settled; then per concurrency level
 *       ({@code -Dbench.levels=50,200,1000}): throughput of the emulator alone and through qbridge,
 *       CPU µs per request of each process (from {@code /proc/<pid>/stat}) and where qbridge's went
 *       (event loops, workers, JIT compiler, GC, from {@code /proc/<pid>/task}), qbridge RSS; then
 *       TTFT p50/p99 at concurrency 1 and the overhead.</li>
 *   <li>{@code slow}: {@code -Dbench.slow.streams=5000} concurrent streams of 20 chunks 250 ms apart:
 *       how many complete, qbridge peak RSS.</li>
 *   <li>{@code paused}: a client that stops reading an endless 64 KB-per-chunk answer for 10 s:
 *       upstream bytes the emulator could send, bytes held in between, qbridge growth and CPU.</li>
 *   <li>{@code inprocess}: the old single-JVM run (emulator, qbridge and load in one heap).</li>
 *   <li>{@code scale}: N qbridge instances on one PostgreSQL against one on SQLite (not in the default set).</li>
 * </ul>
 * qbridge runs with {@code -Dbench.qbridge.jvm="…"} (default: the recommended heap settings of
 * docs/benchmarks.md). Prints ready-to-paste markdown tables. Run: {@code mvn -Pbench -DskipTests verify}.
 * The load generator shares the machine: run it on a quiet one for numbers to publish.
 */
public final class Bench {

  static final int FRAGMENTS = 20;
  /** The Dockerfile's JAVA_OPTS: the benchmark measures what ships. */
  static final String DEFAULT_QBRIDGE_JVM = "-Xms64m -Xmx384m -XX:MaxDirectMemorySize=64m -XX:+UseSerialGC -Xss512k"
      + " -XX:ReservedCodeCacheSize=64m -XX:MaxMetaspaceSize=96m";

  /** The streamed answer: 20 text chunks. */
  static String[] fragments() {
    String[] parts = new String[FRAGMENTS];
    for (int i = 0; i < FRAGMENTS; i++) parts[i] = "token" + i + " ";
    return parts;
  }

  static final JsonObject CLAUDE_BODY = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 512).put("stream", true)
      .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Tell me something")));
  static final JsonObject Q_BODY = new JsonObject().put("conversationState", new JsonObject()
      .put("conversationId", "bench").put("chatTriggerType", "MANUAL")
      .put("currentMessage", new JsonObject().put("userInputMessage", new JsonObject().put("content", "Tell me something"))));

  public static void main(String[] args) throws Exception {
    List<String> modes = Arrays.asList(System.getProperty("bench.mode", "load,slow,paused").split(","));
    StringBuilder report = new StringBuilder();
    report.append(String.format("%nqbridge benchmark (%s, %d cores, qbridge JVM: `%s`)%n",
        Runtime.version(), Runtime.getRuntime().availableProcessors(), qbridgeJvm()));
    System.out.print(report);
    for (String mode : modes) {
      String section = switch (mode.trim()) {
        case "load" -> load();
        case "slow" -> slowStreams();
        case "paused" -> pausedClient();
        case "inprocess" -> inProcess();
        case "scale" -> scale();
        default -> throw new IllegalArgumentException("unknown bench.mode " + mode);
      };
      System.out.print(section); // each table as soon as it is measured; all of them again at the end
      report.append(section);
    }
    System.out.println("\n---- all tables ----" + report);
  }

  static String qbridgeJvm() {
    return System.getProperty("bench.qbridge.jvm", DEFAULT_QBRIDGE_JVM).trim();
  }

  // ================================================================== load: CPU, throughput, TTFT

  static String load() throws Exception {
    int[] levels = Arrays.stream(System.getProperty("bench.levels", "50,200,1000").split(",")).mapToInt(Integer::parseInt).toArray();
    int requests = Integer.getInteger("bench.requests", 6000);
    Vertx vertx = Vertx.vertx();
    try (Topology t = Topology.start(vertx, "stream", 0)) {
      HttpClientAgent client = client(vertx, Math.max(1, Arrays.stream(levels).max().orElse(1)));
      warmUp(client, t);

      StringBuilder md = new StringBuilder();
      md.append(String.format("%n#### Streamed `/v1/messages`, %d text chunks, %d requests per run%n%n", FRAGMENTS, requests));
      md.append("| concurrency | emulator alone req/s | through qbridge req/s | ratio | qbridge CPU µs/req | emulator CPU µs/req | CPU ratio | qbridge RSS MiB | errors |\n");
      md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
      StringBuilder split = new StringBuilder(String.format("%n#### Where the CPU of the run through qbridge went, µs per request%n%n"
          + "| concurrency | qbridge event loops | workers | JIT compiler | GC + VM | other | emulator all | emulator JIT "
          + "| CPU ratio without JIT |%n|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n"));
      for (int c : levels) {
        int n = Math.max(requests, 5 * c);
        // the emulator alone answers 4-5 times faster: 6,000 requests were under a second, and its
        // rate moved by 2x from run to run; a run of about the same length as the one through
        // qbridge makes the ratio's denominator as steady as its numerator
        int aloneN = n * Integer.getInteger("bench.alone.factor", 4);
        long emuCpu0 = t.emulator.cpuMicros();
        Result alone = run(client, t.direct(), Q_BODY.toBuffer(), aloneN, c);
        long emuAloneCpu = t.emulator.cpuMicros() - emuCpu0;
        long qCpu0 = t.qbridge.cpuMicros();
        emuCpu0 = t.emulator.cpuMicros();
        var qSplit0 = t.qbridge.cpuMicrosByKind();
        var emuSplit0 = t.emulator.cpuMicrosByKind();
        Result via = run(client, t.viaQbridge(), CLAUDE_BODY.toBuffer(), n, c);
        double qbridgeUs = (t.qbridge.cpuMicros() - qCpu0) / (double) n;
        double emuUs = (t.emulator.cpuMicros() - emuCpu0) / (double) n;
        var q = perRequest(qSplit0, t.qbridge.cpuMicrosByKind(), n);
        var e = perRequest(emuSplit0, t.emulator.cpuMicrosByKind(), n);
        md.append(String.format("| %d | %.0f | %.0f | %.2f | %.0f | %.0f (alone: %.0f) | %.1f | %.0f (peak %.0f) | %d |%n",
            c, alone.rps, via.rps, via.rps / alone.rps, qbridgeUs, emuUs, emuAloneCpu / (double) aloneN, qbridgeUs / emuUs,
            t.qbridge.rssMiB(false), t.qbridge.rssMiB(true), alone.errors + via.errors));
        double qJit = q.getOrDefault(ThreadKind.JIT, 0.0);
        double eJit = e.getOrDefault(ThreadKind.JIT, 0.0);
        split.append(String.format("| %d | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |%n", c,
            q.getOrDefault(ThreadKind.EVENT_LOOPS, 0.0), q.getOrDefault(ThreadKind.WORKERS, 0.0), qJit,
            q.getOrDefault(ThreadKind.GC_VM, 0.0), q.getOrDefault(ThreadKind.OTHER, 0.0),
            emuUs, eJit, (qbridgeUs - qJit) / (emuUs - eJit)));
      }
      md.append(split);
      int ttftRequests = Integer.getInteger("bench.ttft.requests", 1000);
      Result alone = run(client, t.direct(), Q_BODY.toBuffer(), ttftRequests, 1);
      Result via = run(client, t.viaQbridge(), CLAUDE_BODY.toBuffer(), ttftRequests, 1);
      md.append(String.format("%n#### Time to first byte at concurrency 1 (%d requests each)%n%n", ttftRequests));
      md.append("| path | p50 ms | p99 ms |\n|---|---:|---:|\n");
      md.append(String.format("| emulator alone | %.3f | %.3f |%n", alone.p50, alone.p99));
      md.append(String.format("| through qbridge | %.3f | %.3f |%n", via.p50, via.p99));
      md.append(String.format("| **overhead** | **%.3f** | **%.3f** |%n", via.p50 - alone.p50, via.p99 - alone.p99));
      client.close().await();
      return md.toString();
    } finally {
      vertx.close().await();
    }
  }

  /**
   * Warms both paths until qbridge's JIT compiler has settled: a gateway runs for days, and what it
   * costs then is what the tables should say. A C2 compile of Netty's deeply inlined pipeline takes
   * up to a second on a small machine, and the compiler works through its long tail of warm methods
   * for a minute or more of load: measured before that, a third of qbridge's CPU per request was
   * the compiler. Rounds of both paths run until the compiler's share of qbridge's CPU in a round
   * is under {@code bench.warmup.jitShare} (default 0.05), at most {@code bench.warmup.maxSeconds}
   * (default 240); each round is logged.
   */
  private static void warmUp(HttpClientAgent client, Topology t) {
    double maxJitShare = Double.parseDouble(System.getProperty("bench.warmup.jitShare", "0.05"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.getLong("bench.warmup.maxSeconds", 240));
    int round = 0;
    while (true) {
      round++;
      run(client, t.direct(), Q_BODY.toBuffer(), 6000, 50);
      long total0 = t.qbridge.cpuMicros();
      long jit0 = t.qbridge.cpuMicrosByKind().getOrDefault(ThreadKind.JIT, 0L);
      Result via = run(client, t.viaQbridge(), CLAUDE_BODY.toBuffer(), 6000, 200);
      long total = t.qbridge.cpuMicros() - total0;
      long jit = t.qbridge.cpuMicrosByKind().getOrDefault(ThreadKind.JIT, 0L) - jit0;
      double share = total <= 0 ? 0 : Math.max(0, jit) / (double) total;
      System.out.printf("  warm-up round %d: %.0f req/s through qbridge, %.0f µs CPU per request, JIT %.0f %%%n",
          round, via.rps, total / 6000.0, share * 100);
      if (share < maxJitShare) return;
      if (System.nanoTime() > deadline) {
        System.out.println("  warm-up: the JIT compiler has not settled within bench.warmup.maxSeconds; measuring anyway");
        return;
      }
    }
  }

  /** The CPU each kind of thread spent between two readings, per request. */
  private static Map<ThreadKind, Double> perRequest(Map<ThreadKind, Long> before,
      Map<ThreadKind, Long> after, int requests) {
    Map<ThreadKind, Double> out = new EnumMap<>(ThreadKind.class);
    after.forEach((kind, micros) -> out.put(kind, Math.max(0, micros - before.getOrDefault(kind, 0L)) / (double) requests));
    return out;
  }

  // ================================================================== 5,000 open slow streams

  static String slowStreams() throws Exception {
    int streams = Integer.getInteger("bench.slow.streams", 5000);
    long delayMs = Long.getLong("bench.slow.delayMs", 250);
    Vertx vertx = Vertx.vertx();
    try (Topology t = Topology.start(vertx, "slow", delayMs)) {
      HttpClientAgent client = client(vertx, streams);
      double rssBefore = t.qbridge.rssMiB(false);
      long cpu0 = t.qbridge.cpuMicros();
      Map<Integer, AtomicInteger> statuses = new java.util.concurrent.ConcurrentHashMap<>();
      AtomicInteger failures = new AtomicInteger();
      long t0 = System.nanoTime();
      List<Future<Void>> all = new ArrayList<>();
      for (int i = 0; i < streams; i++) {
        all.add(client.request(t.viaQbridge())
            .compose(req -> req.send(CLAUDE_BODY.toBuffer()))
            .compose(resp -> {
              statuses.computeIfAbsent(resp.statusCode(), k -> new AtomicInteger()).incrementAndGet();
              return resp.body().<Void>mapEmpty();
            })
            .onFailure(e -> failures.incrementAndGet())
            .recover(e -> Future.succeededFuture()));
      }
      Future.join(all).await();
      double seconds = (System.nanoTime() - t0) / 1e9;
      client.close().await();
      return String.format("%n#### %d concurrent slow streams (%d chunks, %d ms apart)%n%n"
              + "| completed 200 | other statuses | client errors | wall s | qbridge RSS before MiB | qbridge peak RSS MiB | qbridge CPU s |%n"
              + "|---:|---|---:|---:|---:|---:|---:|%n| %d | %s | %d | %.1f | %.0f | %.0f | %.1f |%n",
          streams, FRAGMENTS, delayMs, statuses.getOrDefault(200, new AtomicInteger()).get(), otherStatuses(statuses),
          failures.get(), seconds, rssBefore, t.qbridge.rssMiB(true), (t.qbridge.cpuMicros() - cpu0) / 1e6);
    } finally {
      vertx.close().await();
    }
  }

  private static String otherStatuses(Map<Integer, AtomicInteger> statuses) {
    StringBuilder sb = new StringBuilder();
    statuses.forEach((code, n) -> {
      if (code != 200) sb.append(sb.length() == 0 ? "" : ", ").append(n.get()).append("×").append(code);
    });
    return sb.length() == 0 ? "none" : sb.toString();
  }

  // ================================================================== paused client

  static String pausedClient() throws Exception {
    long pauseMs = Long.getLong("bench.paused.ms", 10_000);
    Vertx vertx = Vertx.vertx();
    try (Topology t = Topology.start(vertx, "endless", 0)) {
      HttpClientAgent client = client(vertx, 1);
      // one short request first so qbridge's pools and code are warm; then measure the paused one
      run(client, t.viaQbridge(), CLAUDE_BODY.copy().put("max_tokens", 64).toBuffer(), 20, 1);
      double rssBefore = t.qbridge.rssMiB(false);
      long emuBefore = t.emulatorBytes(vertx);
      AtomicLong received = new AtomicLong();
      Promise<HttpClientResponse> firstBytes = Promise.promise();
      client.request(t.viaQbridge())
          .compose(req -> req.send(CLAUDE_BODY.copy().put("max_tokens", 100_000_000).toBuffer()))
          .onSuccess(resp -> resp.handler(b -> {
            received.addAndGet(b.length());
            if (received.get() > 256 * 1024) {
              resp.pause(); // the client stops reading, and stays connected
              firstBytes.tryComplete(resp);
            }
          }))
          .onFailure(firstBytes::tryFail);
      HttpClientResponse resp = firstBytes.future().await();
      long cpu0 = t.qbridge.cpuMicros();
      long emuAtPause = t.emulatorBytes(vertx) - emuBefore;
      Thread.sleep(pauseMs); // a benchmark may wait: this is the paused client's whole point
      long emuSent = t.emulatorBytes(vertx) - emuBefore;
      double rssAfter = t.qbridge.rssMiB(false);
      double cpuSeconds = (t.qbridge.cpuMicros() - cpu0) / 1e6;
      resp.request().reset();
      client.close().await();
      return String.format("%n#### Paused client (endless 64 KB chunks, client stops reading for %d s)%n%n"
              + "| emulator sent MiB (at pause → after) | client read MiB | held in between MiB | qbridge RSS before → after MiB | growth MiB | qbridge CPU while paused s |%n"
              + "|---:|---:|---:|---:|---:|---:|%n| %.1f → %.1f | %.1f | %.1f | %.0f → %.0f | %.0f | %.2f |%n",
          pauseMs / 1000, emuAtPause / 1048576.0, emuSent / 1048576.0, received.get() / 1048576.0,
          (emuSent - received.get()) / 1048576.0, rssBefore, rssAfter, rssAfter - rssBefore, cpuSeconds);
    } finally {
      vertx.close().await();
    }
  }

  // ================================================================== scale-out: N instances on PostgreSQL

  /**
   * Throughput of {@code -Dbench.scale.instances} (default 2) qbridge JVMs sharing one PostgreSQL
   * database, requests spread round-robin, against one qbridge on SQLite, same emulator, same
   * concurrency ({@code -Dbench.scale.concurrency}, default 200). PostgreSQL runs from Debian's
   * binaries (the tests' fixture); its own CPU is not in the qbridge column.
   */
  static String scale() throws Exception {
    if (!PostgresServer.installed()) return "\n(scale: no PostgreSQL server binaries; skipped)\n";
    int instances = Integer.getInteger("bench.scale.instances", 2);
    int c = Integer.getInteger("bench.scale.concurrency", 200);
    int n = Math.max(Integer.getInteger("bench.requests", 6000), 5 * c);
    PostgresServer pg = PostgresServer.shared();
    Vertx vertx = Vertx.vertx();
    Path dir = Files.createTempDirectory("qbridge-bench-scale");
    Upstream up = Upstream.start(dir, "stream", 0);
    List<ChildProcess> running = new ArrayList<>();
    try {
      HttpClientAgent client = client(vertx, c);
      StringBuilder md = new StringBuilder(String.format(
          "%n#### Scale-out: streamed `/v1/messages`, concurrency %d, %d requests per row%n%n", c, n));
      md.append("| setup | req/s | vs 1 on SQLite | qbridge CPU µs/req (all instances) | errors |\n|---|---:|---:|---:|---:|\n");
      double base = 0;
      for (int count : new int[] {1, instances}) {
        boolean shared = count > 1;
        String url = shared ? pg.url(pg.createDatabase("bench_scale"))
            : "jdbc:sqlite:" + dir.resolve("bench-" + System.nanoTime() + ".sqlite3");
        List<ChildProcess> fleet = new ArrayList<>();
        List<RequestOptions> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          int port = freePort();
          ChildProcess q = startQbridge(up, dir, port, url);
          fleet.add(q);
          running.add(q);
          // the accounts go in once, through the first instance: the others read them from the database
          awaitHealthyAndAddAccounts(vertx, port, i == 0 ? up.accounts() : List.of());
          targets.add(new RequestOptions().setMethod(HttpMethod.POST)
              .setAbsoluteURI("http://127.0.0.1:" + port + "/v1/messages").putHeader("content-type", "application/json"));
        }
        run(client, targets, CLAUDE_BODY.toBuffer(), 3000, 50); // warm-up
        long cpu0 = fleet.stream().mapToLong(ChildProcess::cpuMicros).sum();
        Result r = run(client, targets, CLAUDE_BODY.toBuffer(), n, c);
        double cpuUs = (fleet.stream().mapToLong(ChildProcess::cpuMicros).sum() - cpu0) / (double) n;
        if (!shared) base = r.rps;
        md.append(String.format("| %d on %s | %.0f | %.2f | %.0f | %d |%n", count, shared ? "PostgreSQL" : "SQLite",
            r.rps, r.rps / base, cpuUs, r.errors));
        for (ChildProcess q : fleet) q.close();
      }
      client.close().await();
      return md.toString();
    } finally {
      for (ChildProcess q : running) q.close();
      up.emulator().close();
      vertx.close().await();
    }
  }

  // ================================================================== processes

  /** The emulator and qbridge, each in its own JVM, wired together, with accounts added. */
  record Topology(ChildProcess emulator, ChildProcess qbridge, String chatEndpoint, int statsPort, int port, Path dir)
      implements AutoCloseable {

    static Topology start(Vertx vertx, String scenario, long delayMs) throws Exception {
      Path dir = Files.createTempDirectory("qbridge-bench");
      Upstream up = Upstream.start(dir, scenario, delayMs);
      int port = freePort();
      ChildProcess q;
      try {
        q = startQbridge(up, dir, port, "jdbc:sqlite:" + dir.resolve("bench.sqlite3"));
      } catch (RuntimeException e) {
        up.emulator().close();
        throw e;
      }
      Topology t = new Topology(up.emulator(), q, up.chatEndpoint(), up.statsPort(), port, dir);
      try {
        awaitHealthyAndAddAccounts(vertx, port, up.accounts());
      } catch (RuntimeException e) {
        t.close();
        throw e;
      }
      return t;
    }

    RequestOptions direct() {
      return new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(chatEndpoint)
          .putHeader("content-type", "application/x-amz-json-1.0")
          .putHeader("x-amz-target", AmazonQEmulator.TARGET).putHeader("authorization", "Bearer bench");
    }

    RequestOptions viaQbridge() {
      return new RequestOptions().setMethod(HttpMethod.POST)
          .setAbsoluteURI("http://127.0.0.1:" + port + "/v1/messages").putHeader("content-type", "application/json");
    }

    long emulatorBytes(Vertx vertx) {
      HttpClientAgent c = vertx.createHttpClient();
      try {
        return c.request(HttpMethod.GET, statsPort, "127.0.0.1", "/").compose(req -> req.send())
            .compose(HttpClientResponse::body).map(b -> b.toJsonObject().getLong("bytes")).await();
      } finally {
        c.close();
      }
    }

    @Override
    public void close() throws InterruptedException {
      qbridge.close();
      emulator.close();
    }
  }

  /** The emulator in its own JVM: where it listens and the accounts it knows. */
  record Upstream(ChildProcess emulator, List<JsonObject> accounts, String chatEndpoint, String oidcEndpoint, int statsPort) {

    static Upstream start(Path dir, String scenario, long delayMs) throws Exception {
      ChildProcess emu = ChildProcess.start(List.of("-Xmx512m"), BenchEmulator.class.getName(),
          List.of(scenario, "4", Long.toString(delayMs)), Map.of(), dir);
      List<JsonObject> accounts = new ArrayList<>();
      while (true) {
        String line = emu.awaitLine("", Duration.ofSeconds(60));
        if (line.startsWith("ACCOUNT ")) accounts.add(new JsonObject(line.substring(8)));
        if (line.startsWith("READY ")) {
          String[] r = line.split(" ");
          return new Upstream(emu, accounts, r[1], r[2], Integer.parseInt(r[3]));
        }
      }
    }
  }

  /** A qbridge JVM on {@code port} in front of {@code up}, its accounts in {@code databaseUrl}. */
  static ChildProcess startQbridge(Upstream up, Path dir, int port, String databaseUrl) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", Integer.toString(port));
    env.put("DATABASE_URL", databaseUrl);
    env.put("AMAZONQ_ENDPOINT", up.chatEndpoint());
    env.put("AMAZONQ_OIDC_ENDPOINT", up.oidcEndpoint());
    env.put("TEMPLATES_DIR", Path.of("templates").toAbsolutePath().toString());
    env.put("LOG_LEVEL", System.getProperty("bench.qbridge.logLevel", "WARN"));
    List<String> jvm = new ArrayList<>(Arrays.asList(qbridgeJvm().split("\\s+")));
    jvm.removeIf(String::isEmpty);
    return ChildProcess.start(jvm, qbridgeClassPath(), "io.qbridge.Main", List.of(), env, dir);
  }

  /**
   * The shipped jar ({@code target/qbridge.jar}, what {@code java -jar} runs), so qbridge is measured
   * with its production class path: the test class path adds libraries the server does not ship
   * (jackson-databind, which Vert.x then uses as its JSON codec, slower than the streaming one
   * production runs). The test class path only when the jar was not built.
   */
  static String qbridgeClassPath() {
    Path jar = Path.of(System.getProperty("bench.qbridge.jar", "target/qbridge.jar")).toAbsolutePath();
    if (Files.isRegularFile(jar)) return jar.toString();
    System.out.println("  " + jar + " not found: qbridge runs on the test class path");
    return System.getProperty("java.class.path");
  }

  /** Waits for {@code /healthz}, then adds the accounts through the admin API (dev mode: loopback). */
  static void awaitHealthyAndAddAccounts(Vertx vertx, int port, List<JsonObject> accounts) throws InterruptedException {
    HttpClientAgent admin = vertx.createHttpClient();
    try {
      awaitHealthy(admin, port);
      for (JsonObject a : accounts) {
        admin.request(new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI("http://127.0.0.1:" + port + "/v2/accounts")
                .putHeader("content-type", "application/json"))
            .compose(req -> req.send(a.toBuffer()))
            .compose(HttpClientResponse::body)
            .await();
      }
    } finally {
      admin.close().await();
    }
  }

  static void awaitHealthy(HttpClientAgent client, int port) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        int status = client.request(HttpMethod.GET, port, "127.0.0.1", "/healthz").compose(req -> req.send())
            .map(HttpClientResponse::statusCode).await();
        if (status == 200) return;
      } catch (Exception notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("qbridge did not become healthy on port " + port);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  // ================================================================== load generator

  record Result(double rps, double p50, double p99, int errors) {}

  static HttpClientAgent client(Vertx vertx, int connections) {
    return vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }

  /** {@code total} requests, {@code concurrency} at a time; TTFT is the time to the first body bytes. */
  static Result run(HttpClientAgent client, RequestOptions options, Buffer body, int total, int concurrency) {
    return run(client, List.of(options), body, total, concurrency);
  }

  /** As above, the requests spread round-robin over {@code targets} (several instances). */
  static Result run(HttpClientAgent client, List<RequestOptions> targets, Buffer body, int total, int concurrency) {
    List<Double> ttft = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger started = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    Map<String, Integer> why = new java.util.concurrent.ConcurrentHashMap<>();
    Promise<Void> done = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    long t0 = System.nanoTime();
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (started.incrementAndGet() > total) return;
      long s = System.nanoTime();
      boolean[] first = {true};
      client.request(new RequestOptions(targets.get(started.get() % targets.size())))
          .compose(req -> req.send(body))
          .compose(resp -> {
            if (resp.statusCode() != 200) {
              errors.incrementAndGet();
              why.merge("status " + resp.statusCode(), 1, Integer::sum);
            }
            try {
              resp.handler(b -> {
                if (first[0]) {
                  first[0] = false;
                  ttft.add((System.nanoTime() - s) / 1e6);
                }
              });
            } catch (IllegalStateException alreadyEnded) {
              // a request issued from another thread than its connection's event loop gets its
              // response callback a task later; a short answer can have ended by then (Vert.x then
              // refuses a handler, and end(), then). The answer arrived: count it, its first byte at this moment
              ttft.add((System.nanoTime() - s) / 1e6);
              return Future.<Void>succeededFuture();
            }
            return resp.end();
          })
          .onComplete(ar -> {
            if (ar.failed()) {
              errors.incrementAndGet();
              String kind = ar.cause().getClass().getSimpleName() + ": " + ar.cause().getMessage();
              if (why.merge(kind, 1, Integer::sum) == 1) ar.cause().printStackTrace(System.out); // the first of each kind
            }
            if (finished.incrementAndGet() == total) done.tryComplete();
            else next[0].run();
          });
    };
    for (int i = 0; i < concurrency; i++) next[0].run();
    done.future().await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    // the tables count errors; the log says what they were (status, or the client's exception)
    if (!why.isEmpty()) System.out.println("  errors against " + targets.get(0).getHost() + ":" + targets.get(0).getPort()
        + targets.get(0).getURI() + ": " + why);
    List<Double> sorted = new ArrayList<>(ttft);
    Collections.sort(sorted);
    return new Result(total / seconds, pct(sorted, 0.50), pct(sorted, 0.99), errors.get());
  }

  static double pct(List<Double> sorted, double p) {
    if (sorted.isEmpty()) return Double.NaN;
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
  }

  // ================================================================== the old single-JVM mode

  static String inProcess() throws Exception {
    int requests = Integer.getInteger("bench.requests", 3000);
    int concurrency = Integer.getInteger("bench.concurrency", 64);
    Vertx vertx = Vertx.vertx();
    AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
    emu.setValidateTokens(false).setRecordRequests(false);
    emu.setDefaultScenario(Scenario.text(fragments()));
    Path dir = Files.createTempDirectory("qbridge-bench");
    AppConfig config = TestGateway.config(vertx, emu, dir, Map.of());
    QBridge app = QBridge.deploy(vertx, config).await();
    HttpClientAgent client = client(vertx, concurrency);
    for (int i = 0; i < 4; i++) addAccount(client, app.port(), emu.oidc().newAccount());
    RequestOptions direct = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(emu.chatEndpoint())
        .putHeader("content-type", "application/x-amz-json-1.0")
        .putHeader("x-amz-target", AmazonQEmulator.TARGET).putHeader("authorization", "Bearer bench");
    RequestOptions viaQbridge = new RequestOptions().setMethod(HttpMethod.POST)
        .setAbsoluteURI("http://127.0.0.1:" + app.port() + "/v1/messages").putHeader("content-type", "application/json");
    run(client, direct, Q_BODY.toBuffer(), Math.min(500, requests), concurrency);
    run(client, viaQbridge, CLAUDE_BODY.toBuffer(), Math.min(500, requests), concurrency);
    Result emuOnly = run(client, direct, Q_BODY.toBuffer(), requests, concurrency);
    Result gateway = run(client, viaQbridge, CLAUDE_BODY.toBuffer(), requests, concurrency);
    client.close().await();
    app.close().await();
    emu.close().await();
    vertx.close().await();
    return String.format("%n#### One JVM (emulator + qbridge + load), %d requests, concurrency %d%n%n"
            + "| path | req/s | TTFT p50 ms | TTFT p99 ms | errors |%n|---|---:|---:|---:|---:|%n"
            + "| emulator alone | %.0f | %.2f | %.2f | %d |%n| through qbridge | %.0f | %.2f | %.2f | %d |%n"
            + "%nthroughput ratio %.2f; peak heap %.0f MiB (whole JVM)%n",
        requests, concurrency, emuOnly.rps, emuOnly.p50, emuOnly.p99, emuOnly.errors,
        gateway.rps, gateway.p50, gateway.p99, gateway.errors, gateway.rps / emuOnly.rps, peakHeapMiB());
  }

  static double peakHeapMiB() {
    long peak = 0;
    for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == java.lang.management.MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
    }
    return peak / 1024.0 / 1024.0;
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
