package io.qbridge.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A JVM the benchmark starts on the test classpath (the emulator, or qbridge itself): its output is
 * copied to {@code <Main>.log} in its work directory and
 * drained on a daemon thread, lines are offered for {@link #awaitLine}, and its CPU time and memory
 * are read from {@code /proc}.
 */
final class ChildProcess implements AutoCloseable {

  private final Process process;
  private static final int MAX_ECHOED = 10;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private int echoed; // only touched by the reader thread

  private ChildProcess(Process process, boolean echo, Path log) {
    this.process = process;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream()));
          java.io.Writer out = Files.newBufferedWriter(log)) {
        for (String line; (line = in.readLine()) != null; ) {
          lines.offer(line);
          out.write(line);
          out.write('\n');
          if (echo && (line.contains("ERROR") || line.contains("Exception")) && echoed++ < MAX_ECHOED) {
            System.err.println("  [child] " + line);
          }
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "bench-child-output");
    reader.setDaemon(true);
    reader.start();
  }

  /** {@code mainClass} on the benchmark's own (test) class path. */
  static ChildProcess start(List<String> jvmFlags, String mainClass, List<String> args, Map<String, String> env, Path workDir)
      throws IOException {
    return start(jvmFlags, System.getProperty("java.class.path"), mainClass, args, env, workDir);
  }

  /** {@code mainClass} on {@code classPath} (e.g. the shipped jar alone). */
  static ChildProcess start(List<String> jvmFlags, String classPath, String mainClass, List<String> args,
      Map<String, String> env, Path workDir) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(mainClass);
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(workDir.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    // the whole output stays in the work directory, to read after a run (warnings explain refusals)
    Path log = workDir.resolve(mainClass.substring(mainClass.lastIndexOf('.') + 1) + ".log");
    // whatever happens to the benchmark, its children do not outlive it
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    System.out.println("  [child] " + mainClass + " output: " + log);
    return new ChildProcess(p, true, log);
  }

  /** The first line starting with {@code prefix}, waiting up to {@code timeout}. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith(prefix)) return line;
      if (line == null && !process.isAlive()) throw new IllegalStateException("child exited with " + process.exitValue());
    }
    throw new IllegalStateException("no '" + prefix + "' line within " + timeout);
  }

  /** User + system CPU time of the whole process (all threads: event loops, GC, JIT), in µs. */
  long cpuMicros() {
    try {
      String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
      return ticks * 1_000_000L / CLOCK_TICKS;
    } catch (IOException e) {
      return process.info().totalCpuDuration().map(d -> d.toNanos() / 1000).orElse(-1L);
    }
  }

  /** What a thread's CPU time is spent on, by its name. */
  enum ThreadKind {
    EVENT_LOOPS, WORKERS, JIT, GC_VM, OTHER;

    static ThreadKind of(String name) {
      if (name.startsWith("vert.x-eventloo")) return EVENT_LOOPS;
      if (name.startsWith("vert.x-worker") || name.startsWith("vert.x-internal") || name.startsWith("qbridge-")) return WORKERS;
      if (name.contains("CompilerThre")) return JIT;
      if (name.startsWith("VM Thread") || name.startsWith("GC Thread") || name.startsWith("G1 ")) return GC_VM;
      return OTHER;
    }
  }

  /**
   * CPU time of the live threads by {@link ThreadKind}, in µs (from {@code /proc/<pid>/task}). The
   * JIT compiler's share tells warm-up from steady state: a gateway runs for days, so its compile
   * time per request tends to zero, while a benchmark run of a minute still pays it. Empty when
   * {@code /proc} cannot be read.
   */
  EnumMap<ThreadKind, Long> cpuMicrosByKind() {
    EnumMap<ThreadKind, Long> byKind = new EnumMap<>(ThreadKind.class);
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + process.pid() + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip();
          String stat = Files.readString(task.resolve("stat"));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long micros = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1_000_000L / CLOCK_TICKS;
          byKind.merge(ThreadKind.of(name), micros, Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException notLinux) {
      byKind.clear();
    }
    return byKind;
  }

  /** Resident set size now (VmRSS) or at its peak (VmHWM), in MiB. */
  double rssMiB(boolean peak) {
    String key = peak ? "VmHWM:" : "VmRSS:";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith(key)) return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]) / 1024.0;
      }
    } catch (IOException ignored) {
      // not Linux
    }
    return Double.NaN;
  }

  /** {@code getconf CLK_TCK}: 100 on every Linux the benchmark runs on. */
  private static final long CLOCK_TICKS = 100;

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
