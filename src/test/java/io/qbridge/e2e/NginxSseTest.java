package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qbridge.emulator.Scenario;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code conf/nginx/qbridge.conf} in front of qbridge: events reach the client as they
 * are produced, not when the answer is complete, even for a client that accepts gzip (a gzip-ing
 * proxy would hold SSE back). Needs an nginx binary (.ci/run installs it; skipped where absent).
 */
@ExtendWith(VertxExtension.class)
class NginxSseTest {

  static final Path NGINX = Path.of("/usr/sbin/nginx");

  @TempDir Path dir;
  TestGateway gw;
  Process nginx;
  Path prefix;

  @AfterEach
  void stop() throws Exception {
    if (nginx != null) {
      new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c", "nginx.conf", "-s", "stop").start().waitFor(5, TimeUnit.SECONDS);
      nginx.destroy();
      nginx.waitFor(5, TimeUnit.SECONDS);
    }
    if (gw != null) gw.close();
  }

  @Test
  void streamedEventsPassThroughNginxUnbuffered(Vertx vertx) throws Exception {
    assumeTrue(Files.isExecutable(NGINX), "nginx is not installed (.ci/run installs it)");
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    int port = freePort();
    startNginx(port, gw.app.port());

    gw.emulator.enqueue(Scenario.builder().eventDelayMs(400).text("one ", "two ", "three ", "four ", "five").build());
    HttpClientAgent client = vertx.createHttpClient();
    Promise<Long> firstDeltaAt = Promise.promise();
    Promise<Buffer> whole = Promise.promise();
    long start = System.nanoTime();
    vertx.runOnContext(v -> client.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
            .setURI("/v1/messages").putHeader("content-type", "application/json").putHeader("accept-encoding", "gzip"))
        .compose(req -> req.send(MessagesEndToEndTest.body(true).toBuffer()))
        .onSuccess(resp -> {
          Buffer body = Buffer.buffer();
          resp.handler(b -> {
            body.appendBuffer(b);
            if (body.toString().contains("content_block_delta")) firstDeltaAt.tryComplete(System.nanoTime());
          });
          resp.endHandler(x -> whole.tryComplete(body));
        })
        .onFailure(whole::tryFail));
    Buffer body = whole.future().await(20, TimeUnit.SECONDS);
    long first = TimeUnit.NANOSECONDS.toMillis(firstDeltaAt.future().await(1, TimeUnit.SECONDS) - start);
    long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    List<String> names = SseParser.names(SseParser.parse(body.toString()));
    assertThat(names).endsWith("message_stop");
    assertThat(names.stream().filter("content_block_delta"::equals).count()).isEqualTo(5);
    // five events 400 ms apart: buffered delivery would show the first one only at the end
    assertThat(first).as("first delta after %d ms of %d", first, total).isLessThan(total - 1000);
    client.close().await();
  }

  private void startNginx(int listenPort, int qbridgePort) throws IOException, InterruptedException {
    prefix = Files.createDirectories(dir.resolve("nginx"));
    Files.createDirectories(prefix.resolve("logs"));
    String site = Files.readString(Path.of("conf/nginx/qbridge.conf"))
        .replace("server 127.0.0.1:8000;", "server 127.0.0.1:" + qbridgePort + ";")
        .replace("listen 80;", "listen 127.0.0.1:" + listenPort + ";");
    Files.writeString(prefix.resolve("qbridge.conf"), site);
    Files.writeString(prefix.resolve("nginx.conf"), """
        daemon off;
        worker_processes 1;
        pid %s;
        error_log %s warn;
        events { worker_connections 256; }
        http {
          access_log off;
          client_body_temp_path %s;
          proxy_temp_path %s;
          include qbridge.conf;
        }
        """.formatted(prefix.resolve("nginx.pid"), prefix.resolve("logs/error.log"),
        prefix.resolve("body"), prefix.resolve("proxy")));
    nginx = new ProcessBuilder(NGINX.toString(), "-p", prefix.toString(), "-c", "nginx.conf")
        .redirectErrorStream(true).redirectOutput(prefix.resolve("logs/stdout.log").toFile()).start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", listenPort)) {
        return;
      } catch (IOException notYet) {
        if (!nginx.isAlive()) throw new IllegalStateException("nginx exited: " + Files.readString(prefix.resolve("logs/stdout.log")));
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nginx did not start listening on " + listenPort);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
