package io.qbridge.bench;

import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * The Amazon Q emulator as a process of its own, so the benchmark measures qbridge and its upstream
 * apart (no shared heap, JIT profile or CPU accounting). Prints {@code READY <chat> <oidc> <stats port>}
 * and one {@code ACCOUNT <json>} line per account, then serves until killed. {@code GET /} on the
 * stats port answers {@code {"bytes":…,"active":…}}: event-stream bytes written so far, open streams.
 *
 * <p>Args: {@code scenario} = {@code stream} (20 text chunks at once), {@code slow} (20 chunks,
 * {@code delayMs} apart) or {@code endless} (64 KB chunks for as long as the reader reads);
 * {@code accounts}; {@code delayMs}.
 */
public final class BenchEmulator {

  public static void main(String[] args) {
    String scenario = args.length > 0 ? args[0] : "stream";
    int accounts = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    long delayMs = args.length > 2 ? Long.parseLong(args[2]) : 250;
    Vertx vertx = Vertx.vertx();
    AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
    emu.setValidateTokens(false).setRecordRequests(false);
    emu.setDefaultScenario(switch (scenario) {
      case "stream" -> Scenario.text(Bench.fragments());
      case "slow" -> Scenario.builder().eventDelayMs(delayMs).text(Bench.fragments()).build();
      case "endless" -> Scenario.endless(64 * 1024);
      default -> throw new IllegalArgumentException("unknown scenario " + scenario);
    });
    int statsPort = vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("bytes", emu.totalBytesWritten()).put("active", emu.activeStreams()).encode()))
        .listen(0, "127.0.0.1").await().actualPort();
    for (int i = 0; i < accounts; i++) {
      Credentials c = emu.oidc().newAccount();
      System.out.println("ACCOUNT " + new JsonObject().put("label", "bench").put("clientId", c.clientId())
          .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken()).encode());
    }
    System.out.println("READY " + emu.chatEndpoint() + " " + emu.oidcEndpoint() + " " + statsPort);
    System.out.flush();
  }
}
