package io.qbridge.e2e;

import static io.qbridge.e2e.OpenAiChatCompletionsTest.MODEL;
import static io.qbridge.e2e.OpenAiChatCompletionsTest.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.models.ModelInfo;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.RateLimitException;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.qbridge.convert.ModelMapper;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error shapes and phases on the OpenAI routes, and the model list both SDKs read. */
class OpenAiErrorsAndModelsTest extends OpenAiGatewayTest {

  /** Posts a body and returns the OpenAI error object after checking the status and the shape. */
  JsonObject error(JsonObject body, int status) {
    TestGateway.Response r = gw.postJson("/v1/chat/completions", body);
    assertThat(r.status()).isEqualTo(status);
    assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
    return error;
  }

  @Test
  void badRequestsAre400sInOpenAiShapeNamingTheField() {
    assertThat(error(new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi"))), 400)
        .getString("message")).isEqualTo("model: field required");
    JsonObject e = error(body(false, "hi").put("n", 2), 400);
    assertThat(e.getString("message")).startsWith("n: only n=1 is supported");
    assertThat(e.getString("type")).isEqualTo("invalid_request_error");
    assertThat(error(new JsonObject("""
        {"model":"m","messages":[{"role":"user","content":"hi"},
          {"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{not json"}}]},
          {"role":"tool","tool_call_id":"c1","content":"x"}]}"""), 400).getString("message"))
        .startsWith("messages[1].tool_calls[0].function.arguments: is not valid JSON");
    assertThat(error(new JsonObject("""
        {"model":"m","messages":[{"role":"user","content":"hi"},{"role":"tool","content":"x"}]}"""), 400).getString("message"))
        .isEqualTo("messages[1].tool_call_id: field required");
    assertThat(error(body(false, "hi").put("stream", "yes"), 400).getString("message")).isEqualTo("stream: must be a boolean");

    TestGateway.Response notJson = gw.request(HttpMethod.POST, "/v1/chat/completions", Buffer.buffer("{not json"), "application/json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.json().getJsonObject("error").getString("message")).contains("not valid JSON");
    assertThat(gw.emulator.chatRequests()).isEmpty();

    // the SDK surfaces them as BadRequestException with OpenAI's fields
    assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("x").n(3).build()))
        .isInstanceOfSatisfying(BadRequestException.class, ex -> {
          assertThat(ex.statusCode()).isEqualTo(400);
          assertThat(ex.type()).contains("invalid_request_error");
        });
  }

  @Test
  void upstream429BeforeTheFirstByteIsA429InOpenAiShape() {
    gw.emulator.enqueue(Scenario.throttled429());
    JsonObject e = error(body(true, "hi"), 429);
    assertThat(e.getString("type")).isEqualTo("rate_limit_exceeded");
    assertThat(e.getString("message")).doesNotContain("ThrottlingException");

    gw.addAccount(); // a fresh account: whatever the pool does with the throttled one is not under test here
    gw.emulator.enqueue(Scenario.throttled429());
    assertThatThrownBy(() -> sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("x").build()))
        .isInstanceOfSatisfying(RateLimitException.class, ex -> assertThat(ex.statusCode()).isEqualTo(429));
  }

  @Test
  void exceptionMidStreamIsAnErrorChunkThenDone() {
    gw.emulator.enqueue(Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    TestGateway.Response r = gw.postJson("/v1/chat/completions", body(true, "hi"));
    assertThat(r.status()).isEqualTo(200);
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
    JsonObject error = events.get(events.size() - 2).json();
    assertThat(error.fieldNames()).containsExactly("error");
    assertThat(error.getJsonObject("error").getString("type")).isEqualTo("rate_limit_exceeded");
    assertThat(error.getJsonObject("error").fieldNames()).containsExactlyInAnyOrder("message", "type", "param", "code");
    // the content before the failure was delivered, and no finish chunk claims a normal end
    assertThat(events.subList(0, events.size() - 2)).extracting(ev -> ev.json().getJsonArray("choices").getJsonObject(0).getValue("finish_reason"))
        .containsOnlyNulls();

    // the SDK raises it while streaming (a fresh account: the pool's reaction to the first error is not under test)
    gw.addAccount();
    gw.emulator.enqueue(Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    List<ChatCompletionChunk> seen = new ArrayList<>();
    assertThatThrownBy(() -> {
      try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
          ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("x").build())) {
        s.stream().forEach(seen::add);
      }
    }).isInstanceOf(SseException.class);
    assertThat(seen).isNotEmpty();
  }

  @Test
  void exceptionBeforeAnyContentIsAnHttpError() {
    gw.emulator.enqueue(Scenario.exceptionAfter(0, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    assertThat(error(body(true, "hi"), 429).getString("type")).isEqualTo("rate_limit_exceeded");
  }

  @Test
  void apiKeysAreCheckedWithOpenAiErrors(Vertx vertx) throws Exception {
    gw.close();
    gw = TestGateway.start(vertx, Files.createDirectories(dir.resolve("keys")), Map.of("OPENAI_KEYS", "k1,k2"));
    gw.addAccount();
    JsonObject e = error(body(false, "hi"), 401);
    assertThat(e.getString("type")).isEqualTo("invalid_api_key");
    assertThat(gw.request(HttpMethod.GET, "/v1/models", null, null).status()).isEqualTo(401);
    gw.emulator.enqueue(Scenario.text("ok"));
    assertThat(gw.postJson("/v1/chat/completions", body(false, "hi"), "authorization", "Bearer k2").status()).isEqualTo(200);
    OpenAIClient wrong = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("nope").maxRetries(0).build();
    OpenAIClient right = OpenAIOkHttpClient.builder().baseUrl(gw.baseUrl() + "/v1").apiKey("k1").maxRetries(0).build();
    try {
      assertThatThrownBy(() -> wrong.models().list()).isInstanceOf(UnauthorizedException.class);
      assertThat(right.models().list().data()).isNotEmpty();
    } finally {
      wrong.close();
      right.close();
    }
  }

  @Test
  void noAccountIsA503InOpenAiShape(Vertx vertx) throws Exception {
    gw.close();
    gw = TestGateway.start(vertx, Files.createDirectories(dir.resolve("empty")));
    assertThat(error(body(true, "hi"), 503).getString("message")).contains("No enabled account");
  }

  @Test
  void modelsListServesOpenAiAndAnthropicClients() {
    List<Model> models = sdk.models().list().data();
    assertThat(models).extracting(Model::id).containsExactlyElementsOf(ModelMapper.knownNames());
    assertThat(models).extracting(Model::id).contains("claude-sonnet-4.5", "claude-sonnet-4-5-20250929", "claude-opus-4-5-20251101",
        "claude-haiku-4.5", "claude-3-5-sonnet-20241022");
    assertThat(models).allSatisfy(m -> {
      assertThat(m.ownedBy()).isEqualTo("anthropic");
      assertThat(m.created()).isGreaterThan(1_700_000_000L);
    });
    Model dated = sdk.models().retrieve("claude-sonnet-4-5-20250929");
    assertThat(dated.created()).isEqualTo(java.time.LocalDate.of(2025, 9, 29).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond());
    assertThatThrownBy(() -> sdk.models().retrieve("gpt-9-ultra")).isInstanceOf(NotFoundException.class);

    // the same list through the Anthropic SDK (models.list pages, ModelInfo fields)
    AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("k").maxRetries(0).build();
    try {
      List<ModelInfo> infos = new ArrayList<>();
      anthropic.models().list().autoPager().forEach(infos::add);
      assertThat(infos).extracting(ModelInfo::id).containsExactlyElementsOf(ModelMapper.knownNames());
      ModelInfo sonnet = anthropic.models().retrieve("claude-sonnet-4-5-20250929");
      assertThat(sonnet.displayName()).isEqualTo("Claude Sonnet 4.5");
      assertThat(sonnet.createdAt().toLocalDate()).isEqualTo(java.time.LocalDate.of(2025, 9, 29));
    } finally {
      anthropic.close();
    }

    JsonObject raw = gw.request(HttpMethod.GET, "/v1/models", null, null).json();
    assertThat(raw.getString("object")).isEqualTo("list");
    assertThat(raw.getBoolean("has_more")).isFalse();
    JsonObject legacy = raw.getJsonArray("data").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("id").equals("claude-3-5-sonnet-20241022")).findFirst().orElseThrow();
    assertThat(legacy.getString("display_name")).isEqualTo("Claude 3.5 Sonnet (served by Claude Sonnet 4.5)");
    assertThat(legacy.getString("type")).isEqualTo("model");
    assertThat(legacy.getString("created_at")).isEqualTo("2024-10-22T00:00:00Z");
    TestGateway.Response missing = gw.request(HttpMethod.GET, "/v1/models/nope", null, null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().getJsonObject("error").getString("message")).isEqualTo("The model 'nope' does not exist");
  }

  @Test
  void promptTooLongIsRefusedLocallyWithOpenAiWording(Vertx vertx) throws Exception {
    gw.close();
    gw = TestGateway.start(vertx, Files.createDirectories(dir.resolve("small")), Map.of("CONTEXT_TOKEN_LIMIT", "50"));
    gw.addAccount();
    JsonObject e = error(body(false, "word ".repeat(200)), 400);
    assertThat(e.getString("message")).matches("This model's maximum context length is 50 tokens\\. However, your messages resulted in \\d+ tokens\\..*");
    assertThat(gw.emulator.chatRequests()).isEmpty();
  }
}
