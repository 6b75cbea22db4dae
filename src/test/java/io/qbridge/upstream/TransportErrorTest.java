package io.qbridge.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.config.AppConfig;
import io.qbridge.config.ConfigLoader;
import io.qbridge.bus.AccountAction;
import io.qbridge.upstream.UpstreamError.Kind;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.net.ConnectException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transport failures and who pays for them: a wait behind our own full connection pool is
 * LOCAL_CAPACITY (never an account's TIMEOUT), a connect failure is CONNECT_FAILED (not the
 * account's fault either), silence from a connected upstream is TIMEOUT.
 */
@ExtendWith(VertxExtension.class)
class TransportErrorTest {

  @Test
  void eachTransportFailureHasItsKind() {
    UpstreamError poolWait = UpstreamStream.transportError(new TimeoutException(
        "The timeout of 6000 ms has been exceeded when getting a connection to q.us-east-1.amazonaws.com:443"));
    assertThat(poolWait.kind()).isEqualTo(Kind.LOCAL_CAPACITY);
    assertThat(poolWait.kind().accountAction()).isEqualTo(AccountAction.NONE);
    assertThat(poolWait.kind().retryable()).isFalse();
    assertThat(poolWait.status()).isEqualTo(503);
    assertThat(poolWait.retryAfterSeconds()).isEqualTo(1);

    assertThat(UpstreamStream.transportError(new io.vertx.core.http.ConnectionPoolTooBusyException("full")).kind())
        .isEqualTo(Kind.LOCAL_CAPACITY);
    assertThat(UpstreamStream.transportError(new ConnectException("Connection refused")).kind())
        .isEqualTo(Kind.CONNECT_FAILED);
    assertThat(UpstreamStream.transportError(new io.netty.channel.ConnectTimeoutException("connection timed out after 5000 ms")).kind())
        .as("a host that does not answer the connect is the network, not the account").isEqualTo(Kind.CONNECT_FAILED);
    assertThat(UpstreamStream.transportError(new TimeoutException(
        "The timeout period of 60000ms has been exceeded while executing POST / for server q:443")).kind())
        .isEqualTo(Kind.TIMEOUT);
  }

  /** The real thing: Vert.x's own pool-wait failure is recognised, whatever its wording in this version. */
  @Test
  void aRequestWaitingBehindOurFullPoolFailsAsLocalCapacity(Vertx vertx) throws Exception {
    Promise<Void> firstArrived = Promise.promise();
    HttpServer silent = vertx.createHttpServer()
        .requestHandler(req -> firstArrived.tryComplete()) // never answers
        .listen(0, "127.0.0.1").await();
    Map<String, String> env = new HashMap<>(Map.of("AMAZONQ_ENDPOINT", "http://127.0.0.1:" + silent.actualPort() + "/",
        "UPSTREAM_CONNECT_TIMEOUT_MS", "200", "UPSTREAM_HEADERS_TIMEOUT_MS", "30000", "DATABASE_URL", "jdbc:sqlite:unused",
        "TEMPLATES_DIR", Path.of("templates").toAbsolutePath().toString()));
    AppConfig config = ConfigLoader.resolve(Path.of("target", "no-config"), env);
    HttpClientAgent http = OutboundHttp.create(vertx, config.upstream(), 1);
    try {
      UpstreamClient client = new UpstreamClient(vertx, http, config.upstream(), UpstreamTemplate.load(config.upstream().templatesDir()));
      Promise<Throwable> second = Promise.promise();
      vertx.runOnContext(v -> {
        client.generate("token", new JsonObject(), new Cancellation()); // holds the only connection
        firstArrived.future().onSuccess(x -> client.generate("token", new JsonObject(), new Cancellation())
            .onComplete(ar -> second.complete(ar.cause())));
      });
      Throwable failure = second.future().await(10, TimeUnit.SECONDS);
      assertThat(failure).isInstanceOf(UpstreamError.class);
      assertThat(((UpstreamError) failure).kind()).as(((UpstreamError) failure).detail()).isEqualTo(Kind.LOCAL_CAPACITY);
    } finally {
      http.close().await();
      silent.close().await();
    }
  }
}
