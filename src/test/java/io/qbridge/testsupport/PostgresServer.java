package io.qbridge.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real PostgreSQL server for tests: Debian's server binaries ({@code /usr/lib/postgresql/<v>/bin},
 * else {@code initdb} on the PATH) run in a fresh temporary directory, listening on 127.0.0.1 only
 * on a free port (its unix socket also inside that directory). One server per JVM, started on
 * first use and stopped and deleted at JVM exit; each test class takes a fresh database from
 * {@link #createDatabase}. Tests that need it call {@link #shared()}, which skips them (a JUnit
 * assumption) when no binaries are installed ({@code .ci/run} installs Debian's
 * {@code postgresql}).
 *
 * <p>PostgreSQL refuses to run as root: when the JVM is root, the server's commands run as user
 * {@code postgres} through {@code runuser}, and the directory is given to that user. Durability is
 * switched off ({@code fsync=off}): the tests need a server, not a crash-safe one.
 */
public final class PostgresServer {

  private static final String OS_USER = "postgres";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;
  private static String unavailable;

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final int port;

  private PostgresServer(Path bin, Path dir, int port) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.port = port;
  }

  /** The JVM's server, started on first call; skips the calling test when PostgreSQL is not installed. */
  public static synchronized PostgresServer shared() {
    Assumptions.assumeTrue(unavailable == null, () -> unavailable);
    if (shared != null) return shared;
    Optional<Path> bin = findBinaries();
    if (bin.isEmpty()) {
      unavailable = "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on the PATH";
      Assumptions.assumeTrue(false, unavailable);
    }
    try {
      shared = start(bin.get());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot start the test PostgreSQL server: " + e.getMessage(), e);
    }
    return shared;
  }

  /** Whether the binaries exist (without starting anything). */
  public static boolean installed() {
    return findBinaries().isPresent();
  }

  private static Optional<Path> findBinaries() {
    List<Path> candidates = new ArrayList<>();
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        versions.map(v -> v.resolve("bin"))
            .sorted(Comparator.comparing((Path p) -> versionOf(p.getParent())).reversed())
            .forEach(candidates::add);
      } catch (IOException ignored) {
        // fall through to the PATH
      }
    }
    String path = System.getenv("PATH");
    if (path != null) Arrays.stream(path.split(":")).map(Path::of).forEach(candidates::add);
    return candidates.stream()
        .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))
            && Files.isExecutable(p.resolve("postgres")))
        .findFirst();
  }

  private static int versionOf(Path dir) {
    try {
      return Integer.parseInt(dir.getFileName().toString().replaceAll("\\..*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static PostgresServer start(Path bin) throws IOException {
    Path dir = Files.createTempDirectory("qbridge-pg-");
    PostgresServer server = new PostgresServer(bin, dir, freePort());
    Runtime.getRuntime().addShutdownHook(new Thread(server::destroy, "postgres-test-server-stop"));
    if (runningAsRoot()) run(List.of("chown", "-R", OS_USER + ":", dir.toString()), 30);
    server.server(List.of(bin.resolve("initdb").toString(), "-D", server.data.toString(), "-U", "postgres",
        "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"), 120);
    server.start();
    return server;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  public int port() {
    return port;
  }

  /** A new, empty database owned by {@code postgres}; its name starts with {@code prefix}. */
  public String createDatabase(String prefix) {
    String name = (prefix.toLowerCase().replaceAll("[^a-z0-9_]", "_") + "_" + DATABASES.incrementAndGet());
    psql("postgres", "CREATE DATABASE " + name);
    return name;
  }

  /** {@code postgres://postgres@127.0.0.1:PORT/<database>} (trust authentication, no password). */
  public String url(String database) {
    return "postgres://postgres@127.0.0.1:" + port + "/" + database;
  }

  /** Runs SQL through {@code psql} (stops at the first error) and returns its unaligned output. */
  public String psql(String database, String sql) {
    return run(List.of(bin.resolve("psql").toString(), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
        "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", database, "-c", sql), 60);
  }

  /** Starts the server (again) on the same port and data, waiting until it accepts connections. */
  public synchronized void start() {
    server(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(),
        "-w", "-t", "60", "-o", String.join(" ", "-p", Integer.toString(port), "-k", dir.toString(),
            "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "max_connections=200"), "start"), 90);
  }

  /** Stops the server, ending every connection (fast shutdown). */
  public synchronized void stop() {
    server(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop"), 90);
  }

  /** Stops and starts the server: every client connection is cut, the data stays. */
  public synchronized void restart() {
    stop();
    start();
  }

  private void destroy() {
    try {
      server(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop"), 30);
    } catch (RuntimeException ignored) {
      // not running
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort at exit
    }
  }

  /** A server command, as {@code postgres} when the JVM is root. */
  private String server(List<String> command, int timeoutSeconds) {
    List<String> full = new ArrayList<>();
    if (runningAsRoot()) full.addAll(List.of("runuser", "-u", OS_USER, "--"));
    full.addAll(command);
    return run(full, timeoutSeconds);
  }

  private static boolean runningAsRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private static String run(List<String> command, int timeoutSeconds) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).directory(Path.of("/tmp").toFile()).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes(); // pg_ctl start detaches the server's own output (-l)
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      String text = new String(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException("exit " + p.exitValue() + " from " + command + ": " + text);
      }
      return text.trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    }
  }
}
