package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ReasoningEffort;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 4: OpenAI Chat Completions at full fidelity, through the official OpenAI Java SDK, against the emulator. */
class OpenAiChatCompletionsTest extends OpenAiGatewayTest {

  static final String MODEL = "claude-sonnet-4-5-20250929";

  static FunctionDefinition weatherFunction() {
    return FunctionDefinition.builder().name("get_weather").description("Weather")
        .parameters(FunctionParameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
            .putAdditionalProperty("required", JsonValue.from(List.of("city"))).build())
        .build();
  }

  RecordedRequest lastUpstream() {
    List<RecordedRequest> all = gw.emulator.chatRequests();
    return all.get(all.size() - 1);
  }

  static JsonObject currentMessage(RecordedRequest r) {
    return r.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
  }

  @Test
  void plainChatNonStreaming() {
    gw.emulator.enqueue(Scenario.text("Hello", ", ", "world", "!"));
    ChatCompletion c = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
        .addSystemMessage("Be brief.").addDeveloperMessage("Answer in English.").addUserMessage("Say hello").build());
    assertThat(c.id()).startsWith("chatcmpl-");
    assertThat(c.model()).isEqualTo(MODEL);
    assertThat(c.created()).isPositive();
    assertThat(c.choices()).hasSize(1);
    ChatCompletion.Choice choice = c.choices().get(0);
    assertThat(choice.message().content()).contains("Hello, world!");
    assertThat(choice.message().toolCalls()).isEmpty();
    assertThat(choice.finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage().orElseThrow().promptTokens()).isPositive();
    assertThat(c.usage().orElseThrow().completionTokens()).isEqualTo(4); // "Hello, world!" in cl100k_base
    assertThat(c.usage().orElseThrow().totalTokens())
        .isEqualTo(c.usage().orElseThrow().promptTokens() + c.usage().orElseThrow().completionTokens());

    JsonObject current = currentMessage(lastUpstream());
    assertThat(current.getString("modelId")).isEqualTo("claude-sonnet-4.5");
    assertThat(current.getString("content"))
        .startsWith("--- SYSTEM PROMPT BEGIN ---\nBe brief.\nAnswer in English.\n--- SYSTEM PROMPT END ---\n\n")
        .endsWith("--- USER MESSAGE BEGIN ---\nSay hello\n--- USER MESSAGE END ---");
    assertThat(lastUpstream().body().getJsonObject("conversationState").getJsonArray("history")).isEmpty();
  }

  @Test
  void streamingChunksAsOpenAiSendsThem() {
    gw.emulator.enqueue(Scenario.text("One", " two", " three"));
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("count").build())) {
      s.stream().forEach(ch -> chunks.add(acc.accumulate(ch)));
    }
    assertThat(chunks.get(0).choices().get(0).delta().role()).contains(ChatCompletionChunk.Choice.Delta.Role.ASSISTANT);
    assertThat(chunks).allSatisfy(ch -> {
      assertThat(ch.id()).isEqualTo(chunks.get(0).id()).startsWith("chatcmpl-");
      assertThat(ch.model()).isEqualTo(MODEL);
      assertThat(ch.usage()).isEmpty();
    });
    ChatCompletion c = acc.chatCompletion();
    assertThat(c.choices().get(0).message().content()).contains("One two three");
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(c.usage()).isEmpty(); // include_usage not set: no usage chunk

    // the wire itself: role chunk, one chunk per fragment, finish chunk, [DONE]; no usage anywhere
    gw.emulator.enqueue(Scenario.text("One", " two"));
    TestGateway.Response r = gw.postJson("/v1/chat/completions", body(true, "count"));
    assertThat(r.headers().get("content-type")).startsWith("text/event-stream");
    assertThat(r.headers().get("cache-control")).isEqualTo("no-cache");
    assertThat(r.headers().get("x-accel-buffering")).isEqualTo("no");
    List<JsonObject> wire = chunks(r);
    assertThat(wire).extracting(ch -> ch.getJsonArray("choices").getJsonObject(0).getJsonObject("delta").encode())
        .containsExactly("{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "{\"content\":\"One\"}",
            "{\"content\":\" two\"}", "{}");
    assertThat(wire.get(3).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("stop");
    assertThat(wire).allSatisfy(ch -> {
      assertThat(ch.getString("object")).isEqualTo("chat.completion.chunk");
      assertThat(ch.containsKey("usage")).isFalse();
    });
  }

  @Test
  void includeUsageAddsAFinalUsageChunk() {
    gw.emulator.enqueue(Scenario.text("Hello", " there"));
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(
        ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("hi")
            .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build())) {
      s.stream().forEach(ch -> chunks.add(acc.accumulate(ch)));
    }
    ChatCompletionChunk last = chunks.get(chunks.size() - 1);
    assertThat(last.choices()).isEmpty();
    assertThat(last.usage().orElseThrow().completionTokens()).isEqualTo(2);
    assertThat(last.usage().orElseThrow().promptTokens()).isPositive();
    assertThat(acc.chatCompletion().usage().orElseThrow().totalTokens())
        .isEqualTo(last.usage().orElseThrow().promptTokens() + 2);

    gw.emulator.enqueue(Scenario.text("Hello"));
    JsonObject b = body(true, "hi").put("stream_options", new JsonObject().put("include_usage", true));
    List<JsonObject> wire = chunks(gw.postJson("/v1/chat/completions", b));
    JsonObject usageChunk = wire.get(wire.size() - 1);
    assertThat(usageChunk.getJsonArray("choices")).isEmpty();
    assertThat(usageChunk.getJsonObject("usage").fieldNames())
        .contains("prompt_tokens", "completion_tokens", "total_tokens");
    // every other chunk says "usage": null, as OpenAI does
    assertThat(wire.subList(0, wire.size() - 1)).allSatisfy(ch -> {
      assertThat(ch.containsKey("usage")).isTrue();
      assertThat(ch.getValue("usage")).isNull();
    });
  }

  @Test
  void toolCallRoundTripSendsTheExactAmazonQRequest() {
    // turn 1: the model calls the tool, streamed as tool_calls deltas
    gw.emulator.enqueue(Scenario.builder().text("Checking.").toolUse("T1", "get_weather", "{\"city\":", "\"Paris\"}").build());
    ChatCompletionCreateParams first = ChatCompletionCreateParams.builder().model(MODEL)
        .addSystemMessage("Be brief.").addFunctionTool(weatherFunction()).addUserMessage("Weather in Paris?").build();
    ChatCompletionAccumulator acc = ChatCompletionAccumulator.create();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> s = sdk.chat().completions().createStreaming(first)) {
      s.stream().forEach(ch -> chunks.add(acc.accumulate(ch)));
    }
    ChatCompletion c1 = acc.chatCompletion();
    assertThat(c1.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
    ChatCompletionMessage m1 = c1.choices().get(0).message();
    assertThat(m1.content()).contains("Checking.");
    ChatCompletionMessageFunctionToolCall call = m1.toolCalls().orElseThrow().get(0).asFunction();
    assertThat(call.id()).isEqualTo("T1");
    assertThat(call.function().name()).isEqualTo("get_weather");
    assertThat(new JsonObject(call.function().arguments())).isEqualTo(new JsonObject("{\"city\":\"Paris\"}"));
    // the first tool-call delta carries index, id, type and name; later ones only argument fragments
    List<ChatCompletionChunk.Choice.Delta.ToolCall> toolDeltas = chunks.stream()
        .filter(ch -> !ch.choices().isEmpty()).flatMap(ch -> ch.choices().get(0).delta().toolCalls().orElse(List.of()).stream()).toList();
    assertThat(toolDeltas).hasSize(3);
    assertThat(toolDeltas.get(0).id()).contains("T1");
    assertThat(toolDeltas.get(0).function().orElseThrow().name()).contains("get_weather");
    assertThat(toolDeltas.get(1).id()).isEmpty();
    assertThat(toolDeltas).allSatisfy(d -> assertThat(d.index()).isZero());
    assertThat(toolDeltas.stream().map(d -> d.function().orElseThrow().arguments().orElse("")).toList())
        .containsExactly("", "{\"city\":", "\"Paris\"}");
    JsonObject q1 = currentMessage(lastUpstream());
    assertThat(q1.getJsonObject("userInputMessageContext").getJsonArray("tools")).isEqualTo(new JsonArray("""
        [{"toolSpecification":{"name":"get_weather","description":"Weather",
          "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}]"""));

    // turn 2: the assistant message goes back with a tool message; the answer is plain text
    gw.emulator.enqueue(Scenario.text("It is 18°C in Paris."));
    ChatCompletionCreateParams second = ChatCompletionCreateParams.builder().model(MODEL)
        .addSystemMessage("Be brief.").addFunctionTool(weatherFunction()).addUserMessage("Weather in Paris?")
        .addMessage(m1)
        .addMessage(ChatCompletionToolMessageParam.builder().toolCallId("T1").content("18°C").build())
        .build();
    ChatCompletion c2 = sdk.chat().completions().create(second);
    assertThat(c2.choices().get(0).message().content()).contains("It is 18°C in Paris.");
    assertThat(c2.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.STOP);

    JsonObject state = lastUpstream().body().getJsonObject("conversationState");
    assertThat(state.getString("conversationId")).matches("[0-9a-f-]{36}");
    assertThat(state.getString("chatTriggerType")).isEqualTo("MANUAL");
    JsonArray history = state.getJsonArray("history");
    String ackId = history.getJsonObject(1).getJsonObject("assistantResponseMessage").getString("messageId");
    String messageId = history.getJsonObject(3).getJsonObject("assistantResponseMessage").getString("messageId");
    assertThat(messageId).matches("[0-9a-f-]{36}");
    // a tool-result turn carries the system prompt as the leading history pair (issue 9)
    assertThat(history).isEqualTo(new JsonArray("""
        [{"userInputMessage":{"content":"--- SYSTEM PROMPT BEGIN ---\\nBe brief.\\n--- SYSTEM PROMPT END ---",
           "userInputMessageContext":{"envState":{"operatingSystem":"macos","currentWorkingDirectory":"/"}},
           "origin":"KIRO_CLI"}},
         {"assistantResponseMessage":{"messageId":"%s","content":"I will follow these instructions."}},
         {"userInputMessage":{"content":"Weather in Paris?",
           "userInputMessageContext":{"envState":{"operatingSystem":"macos","currentWorkingDirectory":"/"}},
           "origin":"KIRO_CLI"}},
         {"assistantResponseMessage":{"messageId":"%s","content":"Checking.",
           "toolUses":[{"toolUseId":"T1","name":"get_weather","input":{"city":"Paris"}}]}}]""".formatted(ackId, messageId)));
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage")).isEqualTo(new JsonObject("""
        {"content":"",
         "userInputMessageContext":{"envState":{"operatingSystem":"macos","currentWorkingDirectory":"/"},
           "tools":[{"toolSpecification":{"name":"get_weather","description":"Weather",
             "inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}],
           "toolResults":[{"toolUseId":"T1","content":[{"text":"18°C"}],"status":"success"}]},
         "origin":"KIRO_CLI","modelId":"claude-sonnet-4.5"}"""));
  }

  @Test
  void parallelToolCallsGetSeparateIndexes() {
    gw.emulator.enqueue(Scenario.builder()
        .toolUse("A", "get_weather", "{\"city\":\"Paris\"}")
        .toolUse("B", "get_weather", "{\"city\":", "\"Rome\"}").build());
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
        .addFunctionTool(weatherFunction()).parallelToolCalls(true).addUserMessage("Paris and Rome?").build();
    ChatCompletion c = sdk.chat().completions().create(params);
    ChatCompletionMessage m = c.choices().get(0).message();
    assertThat(m.content()).isEmpty(); // null when the answer is only tool calls
    assertThat(m.toolCalls().orElseThrow()).extracting(t -> t.asFunction().id()).containsExactly("A", "B");
    assertThat(m.toolCalls().orElseThrow()).extracting(t -> new JsonObject(t.asFunction().function().arguments()))
        .containsExactly(new JsonObject("{\"city\":\"Paris\"}"), new JsonObject("{\"city\":\"Rome\"}"));
    assertThat(c.choices().get(0).finishReason()).isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);

    gw.emulator.enqueue(Scenario.builder()
        .toolUse("A", "get_weather", "{\"city\":\"Paris\"}").toolUse("B", "get_weather", "{\"city\":\"Rome\"}").build());
    JsonObject b = body(true, "Paris and Rome?").put("tools", new JsonArray().add(new JsonObject()
        .put("type", "function").put("function", new JsonObject().put("name", "get_weather").put("parameters", new JsonObject()))));
    List<JsonObject> wire = chunks(gw.postJson("/v1/chat/completions", b));
    // the answer starts with a tool call: the role rides on its chunk, content null
    assertThat(delta(wire.get(0))).isEqualTo(new JsonObject("""
        {"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"A","type":"function",
          "function":{"name":"get_weather","arguments":""}}],"refusal":null}"""));
    assertThat(delta(wire.get(1))).isEqualTo(new JsonObject(
        "{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]}"));
    assertThat(delta(wire.get(2)).getJsonArray("tool_calls").getJsonObject(0).getInteger("index")).isEqualTo(1);
    assertThat(delta(wire.get(2)).getJsonArray("tool_calls").getJsonObject(0).getString("id")).isEqualTo("B");
    assertThat(wire.get(wire.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason")).isEqualTo("tool_calls");
  }

  @Test
  void imagesReachAmazonQAndUrlImagesAreRejected() {
    gw.emulator.enqueue(Scenario.text("A red pixel."));
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(MODEL)
        .addUserMessageOfArrayOfContentParts(List.of(
            ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text("What is this?").build()),
            ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder().imageUrl(
                ChatCompletionContentPartImage.ImageUrl.builder().url("data:image/png;base64,iVBORw0KGgoAAAANSUhEUg==").build()).build())))
        .build();
    assertThat(sdk.chat().completions().create(params).choices().get(0).message().content()).contains("A red pixel.");
    JsonObject current = currentMessage(lastUpstream());
    assertThat(current.getJsonArray("images")).isEqualTo(new JsonArray(
        "[{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgoAAAANSUhEUg==\"}}]"));
    assertThat(current.getString("content")).contains("--- USER MESSAGE BEGIN ---\nWhat is this?\n--- USER MESSAGE END ---");

    int before = gw.emulator.chatRequests().size();
    JsonObject b = new JsonObject("""
        {"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},
          {"type":"image_url","image_url":{"url":"https://example.com/cat.png"}}]}]}""");
    TestGateway.Response r = gw.postJson("/v1/chat/completions", b);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message"))
        .startsWith("messages[0].content[1].image_url.url: http(s) image URLs are not supported");
    assertThat(gw.emulator.chatRequests()).hasSize(before);
  }

  @Test
  void reasoningEffortTurnsThinkingIntoReasoningContent() {
    gw.emulator.enqueue(Scenario.text("<thin", "king>\nI should add.", "</thi", "nking>\n\nThe sum is 4."));
    ChatCompletion c = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
        .reasoningEffort(ReasoningEffort.LOW).addUserMessage("2+2?").build());
    ChatCompletionMessage m = c.choices().get(0).message();
    assertThat(m.content()).contains("The sum is 4.");
    assertThat(m._additionalProperties().get("reasoning_content")).isEqualTo(JsonValue.from("I should add."));
    assertThat(c.usage().orElseThrow().completionTokensDetails().orElseThrow().reasoningTokens()).contains(4L);
    assertThat(currentMessage(lastUpstream()).getString("content"))
        .endsWith("<thinking_mode>interleaved</thinking_mode><max_thinking_length>4096</max_thinking_length>");

    // streamed: reasoning_content deltas first, never mixed into content
    gw.emulator.enqueue(Scenario.text("<thinking>hmm</thinking>", "ok"));
    List<JsonObject> wire = chunks(gw.postJson("/v1/chat/completions", body(true, "?").put("reasoning_effort", "high")));
    assertThat(wire).extracting(ch -> delta(ch).encode()).containsExactly(
        "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "{\"reasoning_content\":\"hmm\"}", "{\"content\":\"ok\"}", "{}");

    // without reasoning requested the tags are just text, and no hint is sent
    gw.emulator.enqueue(Scenario.text("<thinking>literal</thinking> text"));
    ChatCompletion plain = sdk.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("tags").build());
    assertThat(plain.choices().get(0).message().content()).contains("<thinking>literal</thinking> text");
    assertThat(currentMessage(lastUpstream()).getString("content")).doesNotContain("thinking_mode");
  }

  @Test
  void longToolNamesAreShortenedForAmazonQAndMappedBack() {
    String longName = "mcp__filesystem_server_with_a_rather_long_name__read_multiple_files_at_once";
    assertThat(longName.length()).isGreaterThan(64);
    JsonObject b = body(false, "read").put("tools", new JsonArray().add(new JsonObject().put("type", "function")
        .put("function", new JsonObject().put("name", longName).put("description", "Reads").put("parameters", new JsonObject()))));
    gw.emulator.enqueue(Scenario.text("warm-up"));
    gw.postJson("/v1/chat/completions", b);
    String qName = currentMessage(lastUpstream()).getJsonObject("userInputMessageContext").getJsonArray("tools")
        .getJsonObject(0).getJsonObject("toolSpecification").getString("name");
    assertThat(qName.length()).isLessThanOrEqualTo(64);

    gw.emulator.enqueue(Scenario.toolUse("T9", qName, "{}"));
    JsonObject message = gw.postJson("/v1/chat/completions", b).json().getJsonArray("choices").getJsonObject(0).getJsonObject("message");
    assertThat(message.getJsonArray("tool_calls").getJsonObject(0).getJsonObject("function").getString("name")).isEqualTo(longName);
  }

  @Test
  void cursorFlatToolsLegacyFunctionsAndToolChoiceNone() {
    // Cursor-style flat tools (no "function" wrapper) and legacy "functions" both become tool specs
    JsonObject b = body(false, "go")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "function").put("name", "edit_file")
            .put("description", "Edit").put("parameters", new JsonObject().put("type", "object"))))
        .put("functions", new JsonArray().add(new JsonObject().put("name", "run").put("parameters", new JsonObject())))
        .put("tool_choice", "auto").put("temperature", 0.2).put("top_p", 0.9).put("seed", 7).put("user", "u")
        .put("parallel_tool_calls", false).put("response_format", new JsonObject().put("type", "text"))
        .put("some_future_field", new JsonObject().put("x", 1));
    gw.emulator.enqueue(Scenario.text("ok"));
    assertThat(gw.postJson("/v1/chat/completions", b).status()).isEqualTo(200);
    JsonArray tools = currentMessage(lastUpstream()).getJsonObject("userInputMessageContext").getJsonArray("tools");
    assertThat(tools).extracting(t -> ((JsonObject) t).getJsonObject("toolSpecification").getString("name")).containsExactly("edit_file", "run");
    assertThat(tools.getJsonObject(1).getJsonObject("toolSpecification").getString("description")).isEqualTo("Tool: run");

    // tool_choice none: the model is not offered the tools
    gw.emulator.enqueue(Scenario.text("ok"));
    assertThat(gw.postJson("/v1/chat/completions", b.copy().put("tool_choice", "none")).status()).isEqualTo(200);
    assertThat(currentMessage(lastUpstream()).getJsonObject("userInputMessageContext").containsKey("tools")).isFalse();

    // legacy function_call / function messages round-trip as a tool use and its result
    JsonObject legacy = new JsonObject("""
        {"model":"gpt-4","functions":[{"name":"run","parameters":{"type":"object"}}],"messages":[
          {"role":"user","content":"run it"},
          {"role":"assistant","content":null,"function_call":{"name":"run","arguments":"{\\"cmd\\":\\"ls\\"}"}},
          {"role":"function","name":"run","content":"a.txt"}]}""");
    gw.emulator.enqueue(Scenario.text("There is a.txt."));
    assertThat(gw.postJson("/v1/chat/completions", legacy).status()).isEqualTo(200);
    JsonObject state = lastUpstream().body().getJsonObject("conversationState");
    JsonObject use = state.getJsonArray("history").getJsonObject(1).getJsonObject("assistantResponseMessage")
        .getJsonArray("toolUses").getJsonObject(0);
    assertThat(use.getString("name")).isEqualTo("run");
    assertThat(use.getJsonObject("input")).isEqualTo(new JsonObject("{\"cmd\":\"ls\"}"));
    JsonObject result = state.getJsonObject("currentMessage").getJsonObject("userInputMessage")
        .getJsonObject("userInputMessageContext").getJsonArray("toolResults").getJsonObject(0);
    assertThat(result.getString("toolUseId")).isEqualTo(use.getString("toolUseId"));
    assertThat(result.getJsonArray("content")).isEqualTo(new JsonArray("[{\"text\":\"a.txt\"}]"));
  }

  @Test
  void silentUpstreamGetsCommentKeepAlives(Vertx vertx) throws Exception {
    gw.close();
    gw = TestGateway.start(vertx, java.nio.file.Files.createDirectories(dir.resolve("ping")), Map.of("SSE_PING_INTERVAL_MS", "200"));
    gw.addAccount();
    gw.emulator.enqueue(Scenario.builder().text("before").silence(1200).text(" after").build());
    String raw = gw.postJson("/v1/chat/completions", body(true, "hi")).body().toString();
    int first = raw.indexOf("\"before\"");
    int last = raw.indexOf("\" after\"");
    assertThat(raw.substring(first, last).split(": ping\n\n", -1).length - 1).isGreaterThanOrEqualTo(3);
    assertThat(raw).endsWith("data: [DONE]\n\n");
  }

  // ---------------------------------------------------------------- helpers

  static JsonObject body(boolean stream, String user) {
    return new JsonObject().put("model", MODEL).put("stream", stream)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", user)));
  }

  /** The chunks of an SSE response, which must end with {@code data: [DONE]}. */
  static List<JsonObject> chunks(TestGateway.Response r) {
    assertThat(r.status()).isEqualTo(200);
    List<SseParser.Event> events = SseParser.parse(r.body().toString());
    assertThat(events).isNotEmpty();
    assertThat(events.get(events.size() - 1).data()).isEqualTo("[DONE]");
    assertThat(events).allSatisfy(e -> assertThat(e.name()).isNull());
    return events.subList(0, events.size() - 1).stream().map(SseParser.Event::json).toList();
  }

  static JsonObject delta(JsonObject chunk) {
    return chunk.getJsonArray("choices").getJsonObject(0).getJsonObject("delta");
  }
}
