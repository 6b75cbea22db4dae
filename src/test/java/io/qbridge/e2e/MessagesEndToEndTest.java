package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.errors.RateLimitException;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The Foundation path end to end: Anthropic SDK → qbridge → emulator, streamed and not. */
@ExtendWith(VertxExtension.class)
class MessagesEndToEndTest {

  @TempDir Path dir;
  TestGateway gw;
  Credentials account;
  AnthropicClient sdk;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    account = gw.addAccount();
    sdk = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("unused-in-dev-mode").maxRetries(0).build();
  }

  @AfterEach
  void stop() {
    sdk.close();
    gw.close();
  }

  static MessageCreateParams params(String text) {
    return MessageCreateParams.builder().model("claude-sonnet-4-5-20250929").maxTokens(256)
        .system("Be brief.").addUserMessage(text).build();
  }

  @Test
  void nonStreamingAnswerThroughTheSdk() {
    gw.emulator.enqueue(Scenario.text("Hello", ", ", "world", "!"));
    Message m = sdk.messages().create(params("Say hello"));
    assertThat(m.content()).hasSize(1);
    assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("Hello, world!");
    assertThat(m.model().asString()).isEqualTo("claude-sonnet-4-5-20250929");
    assertThat(m.id()).startsWith("msg_");
    assertThat(m.stopReason().orElseThrow().asString()).isEqualTo("end_turn");
    assertThat(m.usage().outputTokens()).isPositive();
    assertThat(m.usage().inputTokens()).isPositive();
  }

  @Test
  void streamingAnswerThroughTheSdk() {
    gw.emulator.enqueue(Scenario.text("One", " two", " three"));
    List<String> types = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    try (StreamResponse<RawMessageStreamEvent> stream = sdk.messages().createStreaming(params("count"))) {
      stream.stream().forEach(e -> {
        if (e.isMessageStart()) types.add("message_start");
        if (e.isContentBlockStart()) types.add("content_block_start");
        if (e.isContentBlockDelta()) {
          types.add("content_block_delta");
          e.asContentBlockDelta().delta().text().ifPresent(t -> text.append(t.text()));
        }
        if (e.isContentBlockStop()) types.add("content_block_stop");
        if (e.isMessageDelta()) types.add("message_delta:" + e.asMessageDelta().delta().stopReason().orElseThrow().asString());
        if (e.isMessageStop()) types.add("message_stop");
      });
    }
    assertThat(text.toString()).isEqualTo("One two three");
    assertThat(types).containsExactly("message_start", "content_block_start", "content_block_delta",
        "content_block_delta", "content_block_delta", "content_block_stop", "message_delta:end_turn", "message_stop");
  }

  @Test
  void sendsTheRealWireRequest() {
    gw.emulator.enqueue(Scenario.text("ok"));
    sdk.messages().create(params("What is 2+2?"));
    RecordedRequest r = gw.emulator.chatRequests().get(gw.emulator.chatRequests().size() - 1);
    assertThat(r.header("content-type")).isEqualTo("application/x-amz-json-1.0");
    assertThat(r.header("x-amz-target")).isEqualTo("AmazonCodeWhispererStreamingService.GenerateAssistantResponse");
    assertThat(r.header("authorization")).isEqualTo("Bearer " + account.accessToken());
    assertThat(r.header("amz-sdk-invocation-id")).matches("[0-9a-f-]{36}");
    assertThat(r.header("user-agent")).contains("app/AmazonQ-For-CLI");
    assertThat(r.header("x-amzn-codewhisperer-optout")).isEqualTo("false");
    JsonObject current = r.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
    assertThat(current.getString("modelId")).isEqualTo("claude-sonnet-4.5");
    assertThat(current.getString("origin")).isEqualTo("KIRO_CLI");
    assertThat(current.getString("content")).startsWith("--- SYSTEM PROMPT BEGIN ---\nBe brief.\n")
        .endsWith("--- USER MESSAGE BEGIN ---\nWhat is 2+2?\n--- USER MESSAGE END ---");
  }

  @Test
  void upstreamErrorBeforeFirstByteIsAnHttpErrorInAnthropicShape() {
    gw.emulator.enqueue(Scenario.throttled429());
    TestGateway.Response r = gw.postJson("/v1/messages", body(true));
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.json().getString("type")).isEqualTo("error");
    assertThat(r.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");

    gw.emulator.enqueue(Scenario.throttled429());
    try {
      sdk.messages().create(params("x"));
      org.junit.jupiter.api.Assertions.fail("expected a rate limit error");
    } catch (RateLimitException expected) {
      assertThat(expected.statusCode()).isEqualTo(429);
    }
  }

  @Test
  void contextTooLongIsAPromptTooLongInvalidRequest() {
    gw.emulator.enqueue(Scenario.contentTooLong400());
    TestGateway.Response r = gw.postJson("/v1/messages", body(false));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.json().getJsonObject("error").getString("message")).contains("prompt is too long");
  }

  @Test
  void exceptionFrameMidStreamBecomesAnErrorEvent() {
    gw.emulator.enqueue(Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    TestGateway.Response r = gw.postJson("/v1/messages", body(true), "x-request-id", "proxy-7.abc");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().get("request-id")).as("a proxy's request id is kept").isEqualTo("proxy-7.abc");
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(SseParser.names(events)).startsWith("message_start", "ping", "content_block_start").endsWith("content_block_stop", "error");
    assertThat(SseParser.names(events)).doesNotContain("message_stop");
    assertThat(events.get(events.size() - 1).json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
  }

  @Test
  void connectionCutMidFrameBecomesAnErrorEvent() {
    gw.emulator.enqueue(Scenario.cutMidFrame(2));
    TestGateway.Response r = gw.postJson("/v1/messages", body(true));
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(SseParser.names(events)).endsWith("error").doesNotContain("message_stop");
    assertThat(events.get(events.size() - 1).json().getJsonObject("error").getString("type")).isEqualTo("api_error");
  }

  @Test
  void exceptionBeforeAnyContentIsAnHttpError() {
    gw.emulator.enqueue(Scenario.exceptionAfter(0, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    TestGateway.Response r = gw.postJson("/v1/messages", body(true));
    assertThat(r.status()).isEqualTo(429);
    assertThat(r.json().getJsonObject("error").getString("type")).isEqualTo("rate_limit_error");
  }

  @Test
  void badRequestsGetAnthropicErrors() {
    TestGateway.Response r = gw.request(io.vertx.core.http.HttpMethod.POST, "/v1/messages",
        io.vertx.core.buffer.Buffer.buffer("{not json"), "application/json");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message")).contains("not valid JSON");
    assertThat(r.headers().get("request-id")).matches("req_[0-9a-f]{32}").isEqualTo(r.headers().get("x-request-id"));
    r = gw.postJson("/v1/messages", new JsonObject().put("model", "m"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message")).isEqualTo("messages: field required and must be an array");
    assertThat(gw.emulator.chatRequests()).isEmpty();
  }

  @Test
  void leasesAreAllReleasedAndHealthReportsTheAccount() {
    gw.emulator.enqueue(Scenario.text("a"), Scenario.throttled429(), Scenario.cutMidFrame(1));
    gw.postJson("/v1/messages", body(true));
    gw.postJson("/v1/messages", body(true));
    gw.postJson("/v1/messages", body(false));
    TestGateway.Response h = gw.request(io.vertx.core.http.HttpMethod.GET, "/healthz", null, null);
    assertThat(h.status()).isEqualTo(200);
    assertThat(h.json().getBoolean("db")).isTrue();
    assertThat(h.json().getInteger("enabledAccounts")).isEqualTo(1);
    assertThat(h.json().getInteger("activeLeases")).isZero();
  }

  static JsonObject body(boolean stream) {
    return new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 100_000).put("stream", stream)
        .put("messages", new io.vertx.core.json.JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
  }
}
