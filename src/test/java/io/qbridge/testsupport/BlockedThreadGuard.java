package io.qbridge.testsupport;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test when an event loop was blocked while it ran (the house rule: the event loop is
 * sacred). Registered for every test class (junit-platform.properties + META-INF/services).
 *
 * <p>It gives every {@code Vertx} that vertx-junit5 creates a tight blocked-thread checker (300 ms
 * by default, checked every {@value #CHECK_INTERVAL_MS} ms, with the stack of the blocked thread),
 * through the options file vertx-junit5 reads ({@code vertx.parameter.filename}); the warnings the
 * checker logs are collected by {@link Recorder}, the logback appender of logback-test.xml, and a
 * test during which one was logged fails with it. Warnings logged between tests (a Vertx closing
 * late) fail the next test or the class.
 *
 * <p>Why 300 ms: no request may hold a loop for 50 ms, but that is the benchmark's to measure;
 * here the limit must also survive GC pauses and a loaded 2-core machine. At 200 ms, with other
 * builds running (load ~20), first-time class loading on the loops (Netty codecs, reflection)
 * tripped it at 218-275 ms in 4 of ~400 tests, even after the JVM-wide warm-up below, which takes
 * most of that cold start out of the tests. Every stall this project has fixed was seconds long.
 */
public final class BlockedThreadGuard implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  /** Default 300 ms; {@code -Dqbridge.test.maxEventLoopMs=…} tightens or loosens it. */
  static final long MAX_EVENT_LOOP_MS = Long.getLong("qbridge.test.maxEventLoopMs", 300);
  static final long CHECK_INTERVAL_MS = 50;

  private static final ConcurrentLinkedQueue<String> WARNINGS = new ConcurrentLinkedQueue<>();

  static {
    if (System.getProperty("vertx.parameter.filename") == null) {
      try {
        Path options = Files.createTempFile("qbridge-vertx-test-options", ".json");
        options.toFile().deleteOnExit();
        Files.writeString(options, """
            {"maxEventLoopExecuteTime": %d, "maxEventLoopExecuteTimeUnit": "MILLISECONDS",
             "blockedThreadCheckInterval": %d, "blockedThreadCheckIntervalUnit": "MILLISECONDS",
             "warningExceptionTime": %d, "warningExceptionTimeUnit": "MILLISECONDS"}
            """.formatted(MAX_EVENT_LOOP_MS, CHECK_INTERVAL_MS, MAX_EVENT_LOOP_MS));
        System.setProperty("vertx.parameter.filename", options.toString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    CpuSampler.start();
    WarmUp.run();
  }

  /**
   * One HTTP exchange on a throwaway Vertx, so the first test's loops do not pay for loading Netty.
   * A class of its own: lambdas of the guard itself would wait on the guard's class initialisation,
   * which waits on them.
   */
  private static final class WarmUp {
    static void run() {
      io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
      try {
        var server = vertx.createHttpServer().requestHandler(r -> r.body().onComplete(b -> r.response().end("ok")))
            .listen(0, "127.0.0.1").await(10, java.util.concurrent.TimeUnit.SECONDS);
        vertx.createHttpClient().request(io.vertx.core.http.HttpMethod.POST, server.actualPort(), "127.0.0.1", "/")
            .compose(req -> req.send("{}")).compose(io.vertx.core.http.HttpClientResponse::body)
            .await(10, java.util.concurrent.TimeUnit.SECONDS);
        new io.vertx.core.json.JsonObject("{\"a\":[1,2]}").encode();
      } catch (Exception e) {
        // a failed warm-up only means the first test pays for it
      } finally {
        try {
          vertx.close().await(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
          // as above
        }
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    // what was logged before this test belongs to the previous one, whose after-hook reported it
    WARNINGS.clear();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    failOnWarnings(context.getDisplayName());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    failOnWarnings(context.getDisplayName() + " (class set-up or tear-down)");
  }

  /** The warnings recorded since the last call (the guard's own test reads them). */
  static List<String> drain() {
    List<String> seen = new ArrayList<>();
    for (String w; (w = WARNINGS.poll()) != null; ) seen.add(w);
    return seen;
  }

  private static void failOnWarnings(String where) {
    List<String> seen = drain();
    if (!seen.isEmpty()) {
      throw new AssertionError("an event loop was blocked during " + where + ":\n" + String.join("\n", seen));
    }
  }

  /**
   * The logback appender (logback-test.xml) that collects the blocked-thread checker's warnings
   * about event loops. The checker measures wall time, so on an overloaded machine a loop that was
   * merely waiting for a core looks blocked too; a warning counts when the loop really held its
   * thread: it burnt at least half the limit in CPU during the blocked time, or it sits in a timed
   * wait (a sleep or a timed await on the loop). Others are printed and ignored.
   */
  public static final class Recorder extends AppenderBase<ILoggingEvent> {
    private static final java.util.regex.Pattern WARNING =
        java.util.regex.Pattern.compile("Thread (\\S+) has been blocked for (\\d+) ms");

    @Override
    protected void append(ILoggingEvent event) {
      var m = WARNING.matcher(event.getFormattedMessage());
      if (!m.find() || !m.group(1).startsWith("vert.x-eventloop-thread")) return; // workers may run long: their job
      String verdict = CpuSampler.verdict(m.group(1), Long.parseLong(m.group(2)), MAX_EVENT_LOOP_MS / 2);
      StringBuilder text = new StringBuilder(event.getFormattedMessage()).append(" (").append(verdict).append(')');
      if (verdict.startsWith("descheduled")) {
        System.out.println("BlockedThreadGuard ignores: " + text);
        return;
      }
      if (event.getThrowableProxy() != null) {
        for (var frame : event.getThrowableProxy().getStackTraceElementProxyArray()) {
          text.append("\n    ").append(frame.getSTEAsString());
        }
      }
      WARNINGS.add(text.toString());
    }
  }

  /** Samples the CPU time of every event-loop thread every 20 ms (a daemon thread), for {@link Recorder}. */
  static final class CpuSampler {
    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();
    private static final java.util.Map<Long, java.util.concurrent.ConcurrentLinkedDeque<long[]>> SAMPLES =
        new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.Map<Long, String> NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    static {
      Thread t = new Thread(CpuSampler::loop, "blocked-thread-guard-cpu-sampler");
      t.setDaemon(true);
      t.start();
    }

    static void start() { } // loading the class starts the sampler

    private static void loop() {
      while (true) {
        long now = System.nanoTime();
        for (var info : MX.getThreadInfo(MX.getAllThreadIds())) {
          if (info == null || !info.getThreadName().startsWith("vert.x-eventloop-thread")) continue;
          long cpu = MX.getThreadCpuTime(info.getThreadId());
          if (cpu < 0) continue;
          NAMES.put(info.getThreadId(), info.getThreadName());
          var ring = SAMPLES.computeIfAbsent(info.getThreadId(), id -> new java.util.concurrent.ConcurrentLinkedDeque<>());
          ring.addLast(new long[] {now, cpu});
          while (!ring.isEmpty() && now - ring.peekFirst()[0] > 20_000_000_000L) ring.pollFirst();
        }
        try {
          Thread.sleep(20); // the sampling period of a background daemon, not a test wait
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** "busy …" or "waiting" when the loop held its thread, "descheduled …" when it only waited for a core. */
    static String verdict(String threadName, long blockedMs, long minCpuMs) {
      long now = System.nanoTime();
      long busiest = -1;
      for (var e : NAMES.entrySet()) {
        if (!e.getValue().equals(threadName)) continue;
        var info = MX.getThreadInfo(e.getKey());
        if (info != null && info.getThreadState() == Thread.State.TIMED_WAITING) return "waiting in " + info.getLockName();
        long cpuNow = MX.getThreadCpuTime(e.getKey());
        long[] before = null;
        for (long[] sample : SAMPLES.getOrDefault(e.getKey(), new java.util.concurrent.ConcurrentLinkedDeque<>())) {
          if (before == null || sample[0] <= now - blockedMs * 1_000_000L) before = sample;
        }
        if (before != null && cpuNow >= 0) busiest = Math.max(busiest, (cpuNow - before[1]) / 1_000_000L);
      }
      if (busiest < 0) return "busy: no CPU samples";
      return (busiest >= minCpuMs ? "busy: " : "descheduled: only ") + busiest + " ms CPU";
    }
  }
}
