package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dev mode seen from a real non-loopback peer: the test creates a network namespace and a veth
 * pair with a private /30 (10.254.N.0/30, one end here, one end in the namespace), runs qbridge on
 * this end's address only, and sends requests with curl from inside the namespace. No traffic
 * leaves the pair; everything is removed afterwards. Skipped (assumption) where {@code ip netns}
 * cannot be used (not root, no iproute2, no curl).
 */
@ExtendWith(VertxExtension.class)
class LoopbackOnlyNetnsTest {

  @TempDir Path dir;
  TestGateway gw;
  final String suffix = Long.toString(ProcessHandle.current().pid() % 10000) + ThreadLocalRandom.current().nextInt(100);
  final String ns = "qbt" + suffix;
  final String hostEnd = "qbh" + suffix;
  final String nsEnd = "qbn" + suffix;
  boolean nsCreated;
  boolean linkCreated;

  @AfterEach
  void cleanUp() throws Exception {
    if (gw != null) gw.close();
    if (linkCreated) run("ip", "link", "del", hostEnd); // deletes both ends
    if (nsCreated) run("ip", "netns", "del", ns);
  }

  @Test
  void aNonLoopbackPeerGets401FromTheAdminApiButTheChatApisStillAnswer(Vertx vertx) throws Exception {
    assumeTrue(run("ip", "netns", "list").exit == 0, "ip netns is not available");
    assumeTrue(run("curl", "--version").exit == 0, "curl is not available");
    String prefix = freePrefix();
    assumeTrue(prefix != null, "no free 10.254.x.0/30 range");
    String hostIp = prefix + "1";
    String nsIp = prefix + "2";
    nsCreated = run("ip", "netns", "add", ns).exit == 0;
    assumeTrue(nsCreated, "cannot create a network namespace here");
    linkCreated = run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", nsEnd).exit == 0;
    assumeTrue(linkCreated, "cannot create a veth pair here");
    must("ip", "link", "set", nsEnd, "netns", ns);
    must("ip", "addr", "add", hostIp + "/30", "dev", hostEnd);
    must("ip", "link", "set", hostEnd, "up");
    must("ip", "netns", "exec", ns, "ip", "addr", "add", nsIp + "/30", "dev", nsEnd);
    must("ip", "netns", "exec", ns, "ip", "link", "set", nsEnd, "up");
    must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");

    gw = TestGateway.start(vertx, dir, Map.of("HOST", hostIp));
    String base = "http://" + hostIp + ":" + gw.app.port();

    Result health = curlFromNamespace(base + "/healthz");
    assertThat(health.exit).as(health.err).isZero();
    assertThat(health.out).startsWith("200 ");

    for (String path : List.of("/v2/accounts", "/v2/session", "/v2/auth/status/x")) {
      Result admin = curlFromNamespace(base + path);
      assertThat(admin.out).as(path).startsWith("401 ");
      JsonObject error = new JsonObject(admin.out.substring(4)).getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("authentication_error");
      assertThat(error.getString("message")).contains("dev mode");
    }
    assertThat(curlFromNamespace(base + "/v1/models").out).startsWith("200 ");
  }

  /** A 10.254.N.0/30 that no interface here uses. */
  private static String freePrefix() throws Exception {
    String addresses = run("ip", "-o", "addr").out;
    for (int attempt = 0; attempt < 20; attempt++) {
      int n = ThreadLocalRandom.current().nextInt(256);
      String prefix = "10.254." + n + ".";
      if (!addresses.contains(prefix)) return prefix;
    }
    return null;
  }

  /** "STATUS BODY" of a GET made from inside the namespace. */
  private Result curlFromNamespace(String url) throws Exception {
    return run("ip", "netns", "exec", ns, "curl", "-s", "--max-time", "10", "--noproxy", "*",
        "-w", "%{http_code}", "-o", "/dev/stdout", url).reorderStatusFirst();
  }

  private static void must(String... command) throws Exception {
    Result r = run(command);
    if (r.exit != 0) throw new AssertionError(String.join(" ", command) + " failed: " + r.err);
  }

  record Result(int exit, String out, String err) {
    /** curl -w prints the status after the body; move it first. */
    Result reorderStatusFirst() {
      if (out.length() < 3) return this;
      return new Result(exit, out.substring(out.length() - 3) + " " + out.substring(0, out.length() - 3), err);
    }
  }

  private static Result run(String... command) throws Exception {
    Process p;
    try {
      p = new ProcessBuilder(new ArrayList<>(List.of(command))).start();
    } catch (IOException e) {
      return new Result(-1, "", String.valueOf(e.getMessage()));
    }
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "", "timed out");
    }
    return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
  }
}
