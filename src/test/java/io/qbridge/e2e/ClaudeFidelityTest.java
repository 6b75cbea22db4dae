package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.JsonValue;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolUseBlock;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3: the Claude Messages API at full fidelity, end to end against the emulator. */
@ExtendWith(VertxExtension.class)
class ClaudeFidelityTest {

  @TempDir Path dir;
  TestGateway gw;
  AnthropicClient sdk;

  @BeforeEach
  void start(Vertx vertx) {
    gw = TestGateway.start(vertx, dir);
    gw.addAccount();
    sdk = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("k").maxRetries(0).build();
  }

  @AfterEach
  void stop() {
    sdk.close();
    gw.close();
  }

  static final JsonObject WEATHER_TOOL = new JsonObject("""
      {"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}""");

  RecordedRequest lastUpstream() {
    List<RecordedRequest> all = gw.emulator.chatRequests();
    return all.get(all.size() - 1);
  }

  static JsonObject currentMessage(RecordedRequest r) {
    return r.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
  }

  @Test
  void twoTurnToolLoopThroughTheSdk() {
    // turn 1: the model calls the tool, streamed as input_json_delta fragments
    gw.emulator.enqueue(Scenario.builder().text("Checking.").toolUse("T1", "get_weather", "{\"city\":", "\"Paris\"}").build());
    MessageCreateParams first = MessageCreateParams.builder().model("claude-sonnet-4-5-20250929").maxTokens(512)
        .system("Be brief.")
        .addTool(Tool.builder().name("get_weather").description("Weather")
            .inputSchema(Tool.InputSchema.builder().properties(JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build()).build())
        .addUserMessage("Weather in Paris?").build();
    MessageAccumulator acc = MessageAccumulator.create();
    try (StreamResponse<RawMessageStreamEvent> s = sdk.messages().createStreaming(first)) {
      s.stream().forEach(acc::accumulate);
    }
    Message m1 = acc.message();
    assertThat(m1.stopReason().orElseThrow().asString()).isEqualTo("tool_use");
    ToolUseBlock call = m1.content().get(1).toolUse().orElseThrow();
    assertThat(call.id()).isEqualTo("T1");
    assertThat(call.name()).isEqualTo("get_weather");
    assertThat(call._input().convert(Map.class)).isEqualTo(Map.of("city", "Paris"));
    JsonObject q1 = currentMessage(lastUpstream());
    assertThat(q1.getJsonObject("userInputMessageContext").getJsonArray("tools").getJsonObject(0)
        .getJsonObject("toolSpecification").getJsonObject("inputSchema").getJsonObject("json"))
        .isEqualTo(new JsonObject("{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}"));

    // turn 2: the client sends the tool result back
    gw.emulator.enqueue(Scenario.text("It is 18°C in Paris."));
    JsonObject second = new JsonObject().put("model", "claude-sonnet-4-5-20250929").put("max_tokens", 512)
        .put("system", "Be brief.").put("tools", new JsonArray().add(WEATHER_TOOL))
        .put("messages", new JsonArray("""
            [{"role":"user","content":"Weather in Paris?"},
             {"role":"assistant","content":[{"type":"text","text":"Checking."},
               {"type":"tool_use","id":"T1","name":"get_weather","input":{"city":"Paris"}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"T1","content":"18°C"}]}]"""));
    TestGateway.Response r = gw.postJson("/v1/messages", second);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("It is 18°C in Paris.");
    assertThat(r.json().getString("stop_reason")).isEqualTo("end_turn");

    JsonObject state = lastUpstream().body().getJsonObject("conversationState");
    JsonArray history = state.getJsonArray("history");
    // a tool-result turn carries the system prompt as the leading history pair (issue 9)
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content"))
        .isEqualTo("--- SYSTEM PROMPT BEGIN ---\nBe brief.\n--- SYSTEM PROMPT END ---");
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").getString("content"))
        .isEqualTo("I will follow these instructions.");
    JsonObject h0 = history.getJsonObject(2).getJsonObject("userInputMessage");
    assertThat(h0.getString("content")).isEqualTo("Weather in Paris?");
    assertThat(h0.getString("origin")).isEqualTo("KIRO_CLI");
    JsonObject h1 = history.getJsonObject(3).getJsonObject("assistantResponseMessage");
    assertThat(h1.getString("content")).isEqualTo("Checking.");
    assertThat(h1.getString("messageId")).matches("[0-9a-f-]{36}");
    assertThat(h1.getJsonArray("toolUses")).isEqualTo(new JsonArray(
        "[{\"toolUseId\":\"T1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]"));
    JsonObject current = state.getJsonObject("currentMessage").getJsonObject("userInputMessage");
    assertThat(current.getString("content")).isEmpty();
    assertThat(current.getString("modelId")).isEqualTo("claude-sonnet-4.5");
    assertThat(current.getJsonObject("userInputMessageContext").getJsonArray("toolResults")).isEqualTo(new JsonArray(
        "[{\"toolUseId\":\"T1\",\"content\":[{\"text\":\"18°C\"}],\"status\":\"success\"}]"));
    assertThat(current.getJsonObject("userInputMessageContext").getJsonArray("tools")).hasSize(1);
  }

  @Test
  void parallelToolCallsStreamAsSeparateBlocks() {
    gw.emulator.enqueue(Scenario.builder()
        .toolUse("A", "get_weather", "{\"city\":\"Paris\"}")
        .toolUse("B", "get_weather", "{\"city\":", "\"Rome\"}").build());
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 100).put("stream", true)
        .put("tools", new JsonArray().add(WEATHER_TOOL))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "Paris and Rome?")));
    List<SseParser.Event> events = SseParser.parse(gw.postJson("/v1/messages", body).body().toString());
    List<JsonObject> starts = events.stream().filter(e -> "content_block_start".equals(e.name())).map(SseParser.Event::json).toList();
    assertThat(starts).extracting(s -> s.getJsonObject("content_block").getString("id")).containsExactly("A", "B");
    assertThat(starts).extracting(s -> s.getInteger("index")).containsExactly(0, 1);
    JsonObject delta = events.stream().filter(e -> "message_delta".equals(e.name())).findFirst().orElseThrow().json();
    assertThat(delta.getJsonObject("delta").getString("stop_reason")).isEqualTo("tool_use");

    body.put("stream", false);
    gw.emulator.enqueue(Scenario.builder()
        .toolUse("A", "get_weather", "{\"city\":\"Paris\"}").toolUse("B", "get_weather", "{\"city\":\"Rome\"}").build());
    JsonArray content = gw.postJson("/v1/messages", body).json().getJsonArray("content");
    assertThat(content.getJsonObject(0).getJsonObject("input")).isEqualTo(new JsonObject("{\"city\":\"Paris\"}"));
    assertThat(content.getJsonObject(1).getJsonObject("input")).isEqualTo(new JsonObject("{\"city\":\"Rome\"}"));
  }

  @Test
  void thinkingOnBecomesThinkingBlocksWithSignature() {
    gw.emulator.enqueue(Scenario.text("<thin", "king>\nI should add.", "</thi", "nking>\n\nThe sum is 4."));
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 2000)
        .put("thinking", new JsonObject().put("type", "enabled").put("budget_tokens", 1024))
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "2+2?")));
    JsonObject m = gw.postJson("/v1/messages", body).json();
    JsonArray content = m.getJsonArray("content");
    assertThat(content.getJsonObject(0).getString("type")).isEqualTo("thinking");
    assertThat(content.getJsonObject(0).getString("thinking")).isEqualTo("I should add.");
    assertThat(content.getJsonObject(0).getString("signature")).startsWith("qbridge.");
    assertThat(content.getJsonObject(1)).isEqualTo(new JsonObject("{\"type\":\"text\",\"text\":\"The sum is 4.\"}"));
    assertThat(currentMessage(lastUpstream()).getString("content"))
        .endsWith("<thinking_mode>interleaved</thinking_mode><max_thinking_length>1024</max_thinking_length>");

    // the client replays the thinking block (signed) in history: accepted
    gw.emulator.enqueue(Scenario.text("ok"));
    body.put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "2+2?"))
        .add(new JsonObject().put("role", "assistant").put("content", content))
        .add(new JsonObject().put("role", "user").put("content", "and 3+3?")));
    assertThat(gw.postJson("/v1/messages", body).status()).isEqualTo(200);
    assertThat(lastUpstream().body().getJsonObject("conversationState").getJsonArray("history").getJsonObject(1)
        .getJsonObject("assistantResponseMessage").getString("content"))
        .isEqualTo("<thinking>I should add.</thinking>\nThe sum is 4.");
  }

  @Test
  void thinkingOffKeepsTagsAsText() {
    gw.emulator.enqueue(Scenario.text("<thinking>literal</thinking> text"));
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 100)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "show tags")));
    JsonArray content = gw.postJson("/v1/messages", body).json().getJsonArray("content");
    assertThat(content).hasSize(1);
    assertThat(content.getJsonObject(0).getString("text")).isEqualTo("<thinking>literal</thinking> text");
    assertThat(currentMessage(lastUpstream()).getString("content")).doesNotContain("thinking_mode");
  }

  @Test
  void imagesReachAmazonQAndUrlImagesAreRejected() {
    gw.emulator.enqueue(Scenario.text("A red pixel."));
    JsonObject body = new JsonObject("""
        {"model":"claude-sonnet-4.5","max_tokens":100,"messages":[{"role":"user","content":[
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgoAAAANSUhEUg=="}},
          {"type":"text","text":"What is this?"}]}]}""");
    assertThat(gw.postJson("/v1/messages", body).status()).isEqualTo(200);
    assertThat(currentMessage(lastUpstream()).getJsonArray("images")).isEqualTo(new JsonArray(
        "[{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgoAAAANSUhEUg==\"}}]"));

    int before = gw.emulator.chatRequests().size();
    body.getJsonArray("messages").getJsonObject(0).getJsonArray("content").getJsonObject(0)
        .put("source", new JsonObject().put("type", "url").put("url", "https://example.com/cat.png"));
    TestGateway.Response r = gw.postJson("/v1/messages", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message")).contains("only base64 images");
    assertThat(gw.emulator.chatRequests()).hasSize(before);
  }

  @Test
  void claudeCodeFirstTurnIsAcceptedAndConverted() {
    JsonArray tools = new JsonArray();
    String[] names = {"Agent", "Bash", "Edit", "Glob", "Grep", "LS", "MultiEdit", "NotebookEdit", "Read", "TodoWrite",
        "WebFetch", "WebSearch", "Write", "TaskCreate", "TaskGet", "TaskList", "TaskUpdate", "TaskStop", "CronCreate",
        "CronList", "CronDelete", "ExitPlanMode", "KillShell", "mcp__ide__getDiagnostics_with_a_very_long_server_and_tool_name_over_64"};
    for (String n : names) {
      tools.add(new JsonObject().put("name", n).put("description", ("Use this tool to " + n + ". ").repeat(90))
          .put("input_schema", new JsonObject().put("$schema", "http://json-schema.org/draft-07/schema#").put("type", "object")
              .put("properties", new JsonObject().put("arg", new JsonObject().put("type", "string")))
              .put("required", new JsonArray().add("arg")).put("additionalProperties", false)));
    }
    JsonObject body = new JsonObject()
        .put("model", "claude-opus-4-8").put("max_tokens", 64000).put("stream", true)
        .put("system", new JsonArray()
            .add(new JsonObject().put("type", "text").put("text", "x-anthropic-billing-header: cc_version=2"))
            .add(new JsonObject().put("type", "text").put("text", "You are Claude Code.").put("cache_control", new JsonObject().put("type", "ephemeral")))
            .add(new JsonObject().put("type", "text").put("text", "Long instructions. ".repeat(1200)).put("cache_control", new JsonObject().put("type", "ephemeral"))))
        .put("tools", tools)
        .put("metadata", new JsonObject().put("user_id", "{\"session_id\":\"abc\"}"))
        .put("thinking", new JsonObject().put("type", "adaptive"))
        .put("context_management", new JsonObject().put("edits", new JsonArray().add(new JsonObject().put("type", "clear_thinking_20251015").put("keep", "all"))))
        .put("output_config", new JsonObject().put("effort", "high"))
        .put("messages", new JsonArray()
            .add(new JsonObject().put("role", "user").put("content", new JsonArray()
                .add(new JsonObject().put("type", "text").put("text", "<system-reminder>Context.</system-reminder>"))
                .add(new JsonObject().put("type", "text").put("text", "say hi").put("cache_control", new JsonObject().put("type", "ephemeral")))))
            .add(new JsonObject().put("role", "system").put("content", "Mid-conversation instruction.")));
    assertThat(body.encode().length()).isGreaterThan(70_000);
    gw.emulator.enqueue(Scenario.text("hi"));
    TestGateway.Response r = gw.postJson("/v1/messages?beta=true", body,
        "x-api-key", "k", "anthropic-version", "2023-06-01",
        "anthropic-beta", "claude-code-20250219,context-1m-2025-08-07,interleaved-thinking-2025-05-14");
    assertThat(r.status()).isEqualTo(200);
    assertThat(SseParser.names(SseParser.parse(r.body().toString()))).endsWith("message_stop");
    JsonObject current = currentMessage(lastUpstream());
    assertThat(current.getString("modelId")).isEqualTo("claude-opus-4.5");
    JsonArray sent = current.getJsonObject("userInputMessageContext").getJsonArray("tools");
    assertThat(sent).hasSize(24);
    for (int i = 0; i < sent.size(); i++) {
      JsonObject spec = sent.getJsonObject(i).getJsonObject("toolSpecification");
      assertThat(spec.getString("name").length()).isLessThanOrEqualTo(64);
      assertThat(spec.getJsonObject("inputSchema").getJsonObject("json").containsKey("$schema")).isFalse();
    }
    assertThat(current.getString("content"))
        .contains("You are Claude Code.").contains("Mid-conversation instruction.")
        .contains("--- USER MESSAGE BEGIN ---\n<system-reminder>Context.</system-reminder>\nsay hi\n--- USER MESSAGE END ---")
        .endsWith("</max_thinking_length>");
  }

  @Test
  void countTokensIsLocalAndCountsSystemToolsAndMessages() {
    JsonObject small = new JsonObject().put("model", "claude-sonnet-4.5")
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hello world")));
    TestGateway.Response r = gw.postJson("/v1/messages/count_tokens?beta=true", small);
    assertThat(r.status()).isEqualTo(200);
    int base = r.json().getInteger("input_tokens");
    assertThat(base).isEqualTo(2);
    JsonObject bigger = small.copy().put("system", "You are a helpful assistant.").put("tools", new JsonArray().add(WEATHER_TOOL));
    int more = gw.postJson("/v1/messages/count_tokens", bigger).json().getInteger("input_tokens");
    assertThat(more).isGreaterThan(base + 10);
    for (int i = 0; i < 50; i++) assertThat(gw.postJson("/v1/messages/count_tokens", bigger).json().getInteger("input_tokens")).isEqualTo(more);
    assertThat(gw.emulator.chatRequests()).isEmpty();
    assertThat(gw.postJson("/v1/messages/count_tokens", new JsonObject().put("model", "m")).status()).isEqualTo(400);
  }

  @Test
  void promptTooLongIsRefusedLocallyWithAnthropicWording(Vertx vertx) throws Exception {
    gw.close();
    gw = TestGateway.start(vertx, java.nio.file.Files.createDirectories(dir.resolve("small")), Map.of("CONTEXT_TOKEN_LIMIT", "50"));
    gw.addAccount();
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "word ".repeat(200))));
    TestGateway.Response r = gw.postJson("/v1/messages", body);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("type")).isEqualTo("invalid_request_error");
    assertThat(r.json().getJsonObject("error").getString("message")).matches("prompt is too long: \\d+ tokens > 50 maximum");
    assertThat(gw.emulator.chatRequests()).isEmpty();
  }

  @Test
  void contextUsageRefinesInputTokensAndHeadAndGetRootAnswer() {
    gw.emulator.enqueue(Scenario.builder().text("ok").contextUsage(10.0).build());
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    assertThat(gw.postJson("/v1/messages", body).json().getJsonObject("usage").getInteger("input_tokens")).isEqualTo(20_000);
    assertThat(gw.request(io.vertx.core.http.HttpMethod.HEAD, "/", null, null).status()).isEqualTo(200);
    assertThat(gw.request(io.vertx.core.http.HttpMethod.GET, "/", null, null).status()).isEqualTo(200);
  }

  @Test
  void maxTokensAndStopSequencesAreHonouredLocallyAndCancelTheUpstream() throws Exception {
    // a max_tokens: 1 probe (SDKs send these) must not read an endless upstream answer to the end
    gw.emulator.enqueue(Scenario.endless(200));
    var closed = gw.emulator.nextStreamClosedByPeer();
    JsonObject probe = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 1)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    JsonObject m = gw.postJson("/v1/messages", probe).json();
    assertThat(m.getString("stop_reason")).isEqualTo("max_tokens");
    assertThat(m.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(1);
    closed.await(5, java.util.concurrent.TimeUnit.SECONDS);

    gw.emulator.enqueue(Scenario.text("Count: 1, 2, 3, ST", "OP, 4, 5"));
    Message stopped = sdk.messages().create(MessageCreateParams.builder().model("claude-sonnet-4.5").maxTokens(100)
        .addStopSequence("STOP").addUserMessage("count").build());
    assertThat(stopped.content().get(0).text().orElseThrow().text()).isEqualTo("Count: 1, 2, 3, ");
    assertThat(stopped.stopReason().orElseThrow().asString()).isEqualTo("stop_sequence");
    assertThat(stopped.stopSequence()).contains("STOP");

    TestGateway.Response bad = gw.postJson("/v1/messages", probe.copy().put("stop_sequences", "STOP"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getJsonObject("error").getString("message")).startsWith("stop_sequences:");
  }
}
