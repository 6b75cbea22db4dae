package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8: no body keeps an event loop busy. Huge bodies are parsed and counted on a worker while
 * the single HTTP verticle keeps answering {@code /healthz}; the blocked-thread checker
 * (BlockedThreadGuard, 200 ms) fails any of these tests if a loop stalls. Bodies over
 * MAX_BODY_BYTES get 413 in the API's shape, whatever they contain.
 */
@ExtendWith(VertxExtension.class)
class LargeBodiesTest {

  static final int MIB = 1024 * 1024;

  @TempDir Path dir;
  TestGateway gw;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
  }

  @AfterEach
  void stop() {
    gw.close();
  }

  /** {@code {"model":…,"messages":[{"role":"user","content":"<text>"}]}} of about {@code bytes} bytes. */
  static Buffer messagesBody(int bytes, String unit) {
    String head = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"";
    String tail = "\"}]}";
    int textBytes = bytes - head.length() - tail.length();
    return Buffer.buffer(head + unit.repeat(textBytes / unit.length()) + tail);
  }

  @Test
  void anUnbrokenTenMegabyteStringIsRefusedWhileTheLoopKeepsServing() {
    Buffer body = messagesBody(10 * MIB, "A");
    Polled r = postWhilePollingHealth("/v1/messages", body);
    assertThat(r.response.status()).isEqualTo(400);
    JsonObject error = r.response.json();
    assertThat(error.getString("type")).isEqualTo("error");
    assertThat(error.getJsonObject("error").getString("message")).startsWith("prompt is too long: 1310").endsWith("tokens > 200000 maximum");
    assertThat(r.healthAnsweredWhileProcessing).as("/healthz answers while the body is counted").isPositive();
  }

  @Test
  void aThirtyTwoMegabyteBodyIsPreparedOffTheLoop() {
    Buffer body = messagesBody(32_000_000, "lorem ipsum dolor sit amet, ");
    assertThat(body.length()).isLessThanOrEqualTo(gw.config.http().maxBodyBytes());
    Polled r = postWhilePollingHealth("/v1/chat/completions", body);
    assertThat(r.response.status()).isEqualTo(400);
    assertThat(r.response.json().getJsonObject("error").getString("message")).startsWith("This model's maximum context length is 200000 tokens");
    assertThat(r.healthAnsweredWhileProcessing).isPositive();
  }

  @Test
  void countTokensCountsAHugeBodyOffTheLoop() {
    Buffer body = messagesBody(10 * MIB, "A");
    Polled r = postWhilePollingHealth("/v1/messages/count_tokens", body);
    assertThat(r.response.status()).isEqualTo(200);
    assertThat(r.response.json().getInteger("input_tokens")).isBetween(10 * MIB / 8 - 10, 10 * MIB / 8 + 10);
    assertThat(r.healthAnsweredWhileProcessing).isPositive();
  }

  @Test
  void fiftyMegabytesAreRefusedWith413InEachApisShape() {
    Buffer body = messagesBody(50 * MIB, "A");
    TestGateway.Response claude = gw.request(HttpMethod.POST, "/v1/messages", body, "application/json");
    assertThat(claude.status()).isEqualTo(413);
    assertThat(claude.json().getJsonObject("error").getString("type")).isEqualTo("request_too_large");
    assertThat(claude.json().getJsonObject("error").getString("message")).contains("MAX_BODY_BYTES");
    TestGateway.Response openai = gw.request(HttpMethod.POST, "/v1/chat/completions", body, "application/x-www-form-urlencoded");
    assertThat(openai.status()).isEqualTo(413);
    assertThat(openai.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    TestGateway.Response admin = gw.request(HttpMethod.POST, "/v2/accounts", Buffer.buffer("{\"label\":\"" + "x".repeat(2 * MIB) + "\"}"), null);
    assertThat(admin.status()).isEqualTo(413);
    assertThat(admin.json().getJsonObject("error").getString("type")).isEqualTo("request_too_large");
    // the connection still serves
    assertThat(gw.health().getString("status")).isEqualTo("ok");
  }

  /** A JSON body sent as a form (curl -d) or multipart is read as JSON, at any size. */
  @Test
  void formAndMultipartContentTypesAreReadAsJson() {
    Buffer body = messagesBody(200 * 1024, "hello world ");
    for (String type : new String[] {"application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz", "text/plain", null}) {
      TestGateway.Response r = gw.request(HttpMethod.POST, "/v1/messages", body, type);
      assertThat(r.status()).as(String.valueOf(type)).isEqualTo(200);
      assertThat(r.json().getString("type")).isEqualTo("message");
    }
  }

  @Test
  void malformedPathEscapesAnswerInTheApisShape() {
    TestGateway.Response admin = gw.request(HttpMethod.GET, "/v2/accounts/%zz", null, null);
    assertThat(admin.status()).isEqualTo(400);
    assertThat(admin.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(admin.headers().get("request-id")).isNotBlank();
    TestGateway.Response claude = gw.request(HttpMethod.POST, "/v1/messages%zz", Buffer.buffer("{}"), "application/json");
    assertThat(claude.status()).isEqualTo(400);
    assertThat(claude.json().getString("type")).isEqualTo("error");
    TestGateway.Response openai = gw.request(HttpMethod.POST, "/v1/chat/completions%zz", Buffer.buffer("{}"), "application/json");
    assertThat(openai.status()).isEqualTo(400);
    assertThat(openai.json().getJsonObject("error").getString("message")).contains("percent-encoding");
  }

  record Polled(TestGateway.Response response, int healthAnsweredWhileProcessing) {}

  /**
   * Posts {@code body} and, until its answer arrives, polls {@code /healthz} on the same (single)
   * HTTP verticle; counts the health answers that arrived after the body was fully sent and before
   * its answer. A loop stuck in the request's work could answer none of them in that window.
   */
  private Polled postWhilePollingHealth(String path, Buffer body) {
    AtomicBoolean sent = new AtomicBoolean();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(gw.app.port())
        .setURI(path).putHeader("content-type", "application/json");
    Future<TestGateway.Response> big = gw.onContext(() -> gw.http.request(o).compose(req -> {
      Future<HttpClientResponse> response = req.response();
      req.end(body).onSuccess(v -> sent.set(true));
      return response;
    }).compose(resp -> resp.body().map(b -> new TestGateway.Response(resp.statusCode(), resp.headers(), b))));
    int answered = 0;
    long deadline = System.currentTimeMillis() + 60_000;
    while (!big.isComplete() && System.currentTimeMillis() < deadline) {
      boolean afterSend = sent.get();
      gw.health();
      if (afterSend && !big.isComplete()) answered++;
    }
    try {
      return new Polled(big.await(1, TimeUnit.SECONDS), answered);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(path + " got no answer within 60 s");
    }
  }
}
