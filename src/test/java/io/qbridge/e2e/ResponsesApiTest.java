package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.helpers.ResponseAccumulator;
import com.openai.models.Reasoning;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseIncludable;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseInputMessageItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.inputitems.InputItemListParams;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Issue 9.2: the OpenAI Responses API through the official openai-java SDK and raw HTTP, against the emulator. */
class ResponsesApiTest extends OpenAiGatewayTest {

  static final String MODEL = "claude-sonnet-4.5";

  static FunctionTool shellTool() {
    return FunctionTool.builder().name("shell").description("Runs a command").strict(false)
        .parameters(FunctionTool.Parameters.builder()
            .putAdditionalProperty("type", JsonValue.from("object"))
            .putAdditionalProperty("properties", JsonValue.from(Map.of("cmd", Map.of("type", "string"))))
            .build())
        .build();
  }

  RecordedRequest lastUpstream() {
    List<RecordedRequest> all = gw.emulator.chatRequests();
    return all.get(all.size() - 1);
  }

  static JsonObject state(RecordedRequest r) {
    return r.body().getJsonObject("conversationState");
  }

  static String currentContent(RecordedRequest r) {
    return state(r).getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content");
  }

  /** The events of an SSE body: each {@code data:} line's JSON, checked against its {@code event:} line. */
  static List<JsonObject> events(TestGateway.Response r) {
    List<JsonObject> out = new ArrayList<>();
    String name = null;
    for (String line : r.body().toString().split("\n")) {
      if (line.startsWith("event: ")) name = line.substring(7);
      if (line.startsWith("data: ")) {
        JsonObject e = new JsonObject(line.substring(6));
        assertThat(e.getString("type")).isEqualTo(name);
        out.add(e);
      }
    }
    return out;
  }

  @Test
  void plainTextNonStreaming() {
    gw.emulator.enqueue(Scenario.text("Hello", ", world!"));
    Response r = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).instructions("Be brief.").input("Say hello").build());
    assertThat(r.id()).startsWith("resp_");
    assertThat(r.model().asString()).isEqualTo(MODEL);
    assertThat(r.status()).contains(ResponseStatus.COMPLETED);
    assertThat(r.output()).hasSize(1);
    assertThat(r.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text()).isEqualTo("Hello, world!");
    assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(4);
    assertThat(r.usage().orElseThrow().totalTokens()).isEqualTo(r.usage().orElseThrow().inputTokens() + 4);
    assertThat(r.instructions()).isPresent();
    assertThat(currentContent(lastUpstream()))
        .startsWith("--- SYSTEM PROMPT BEGIN ---\nBe brief.\n--- SYSTEM PROMPT END ---\n\n")
        .endsWith("--- USER MESSAGE BEGIN ---\nSay hello\n--- USER MESSAGE END ---");
  }

  @Test
  void streamingEventSequence() {
    gw.emulator.enqueue(Scenario.text("One", " two"));
    ResponseAccumulator acc = ResponseAccumulator.create();
    List<ResponseStreamEvent> seen = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> s = sdk.responses().createStreaming(
        ResponseCreateParams.builder().model(MODEL).input("count").build())) {
      s.stream().forEach(e -> seen.add(acc.accumulate(e)));
    }
    Response r = acc.response();
    assertThat(r.status()).contains(ResponseStatus.COMPLETED);
    assertThat(r.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text()).isEqualTo("One two");

    gw.emulator.enqueue(Scenario.text("One", " two"));
    TestGateway.Response wire = gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "count").put("stream", true));
    assertThat(wire.headers().get("content-type")).startsWith("text/event-stream");
    List<JsonObject> events = events(wire);
    assertThat(events).extracting(e -> e.getString("type")).containsExactly(
        "response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
        "response.output_text.delta", "response.output_text.delta", "response.output_text.done",
        "response.content_part.done", "response.output_item.done", "response.completed");
    for (int i = 0; i < events.size(); i++) assertThat(events.get(i).getInteger("sequence_number")).isEqualTo(i);
    JsonObject completed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(completed.getString("status")).isEqualTo("completed");
    assertThat(completed.getJsonObject("usage").getInteger("output_tokens")).isEqualTo(2);
    assertThat(events.get(0).getJsonObject("response").getString("id")).isEqualTo(completed.getString("id"));
    assertThat(events.get(8).getJsonObject("item").getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("One two");
  }

  @Test
  void toolLoopWithPreviousResponseId() {
    gw.emulator.enqueue(Scenario.builder().text("Looking.").toolUse("T1", "shell", "{\"cmd\":", "\"ls\"}").build());
    Response first = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).instructions("Use tools.")
        .addTool(shellTool()).input("List files").build());
    assertThat(first.output()).hasSize(2);
    ResponseFunctionToolCall call = first.output().get(1).functionCall().orElseThrow();
    assertThat(call.callId()).isEqualTo("T1");
    assertThat(call.name()).isEqualTo("shell");
    assertThat(new JsonObject(call.arguments())).isEqualTo(new JsonObject("{\"cmd\":\"ls\"}"));
    assertThat(call.id()).hasValueSatisfying(id -> assertThat(id).startsWith("fc_"));

    // the next turn sends only the tool output and points at the stored response
    gw.emulator.enqueue(Scenario.text("Two files."));
    Response second = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).instructions("Use tools.")
        .addTool(shellTool()).previousResponseId(first.id())
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId("T1").output("a.txt b.txt").build())))
        .build());
    assertThat(second.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text()).isEqualTo("Two files.");
    assertThat(second.previousResponseId()).contains(first.id());
    JsonObject state = state(lastUpstream());
    JsonArray history = state.getJsonArray("history");
    // system pair, the user's prompt, the assistant's text + call; the current message carries the output
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(2).getJsonObject("userInputMessage").getString("content")).isEqualTo("List files");
    JsonObject assistant = history.getJsonObject(3).getJsonObject("assistantResponseMessage");
    assertThat(assistant.getString("content")).isEqualTo("Looking.");
    assertThat(assistant.getJsonArray("toolUses")).isEqualTo(new JsonArray("[{\"toolUseId\":\"T1\",\"name\":\"shell\",\"input\":{\"cmd\":\"ls\"}}]"));
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage").getJsonObject("userInputMessageContext")
        .getJsonArray("toolResults")).isEqualTo(new JsonArray("[{\"toolUseId\":\"T1\",\"content\":[{\"text\":\"a.txt b.txt\"}],\"status\":\"success\"}]"));

    // the stored response can be read and deleted; then it is gone
    assertThat(sdk.responses().retrieve(first.id()).id()).isEqualTo(first.id());
    sdk.responses().delete(first.id());
    assertThatThrownBy(() -> sdk.responses().retrieve(first.id())).isInstanceOf(NotFoundException.class);
    int before = gw.emulator.chatRequests().size();
    TestGateway.Response r = gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "hi")
        .put("previous_response_id", first.id()));
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getJsonObject("error").getString("message")).contains(first.id()).contains("not found");
    assertThat(gw.emulator.chatRequests()).hasSize(before);
  }

  @Test
  void inputItemsListTheConversationAResponseContinuedPagedThroughTheSdk() {
    gw.emulator.enqueue(Scenario.builder().text("Looking.").toolUse("T1", "shell", "{\"cmd\":\"ls\"}").build());
    Response first = sdk.responses().create(ResponseCreateParams.builder().model(MODEL)
        .addTool(shellTool()).input("List files").build());
    gw.emulator.enqueue(Scenario.text("Two files."));
    Response second = sdk.responses().create(ResponseCreateParams.builder().model(MODEL)
        .addTool(shellTool()).previousResponseId(first.id())
        .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
            .callId("T1").output("a.txt b.txt").build())))
        .build());

    // oldest first, two per page: the SDK's pager follows after=last_id
    List<ResponseItem> items = new ArrayList<>();
    sdk.responses().inputItems().list(second.id(), InputItemListParams.builder().limit(2)
        .order(InputItemListParams.Order.ASC).build()).autoPager().forEach(items::add);
    assertThat(items).hasSize(4);
    items.forEach(ResponseItem::validate);
    ResponseInputMessageItem prompt = items.get(0).asResponseInputMessageItem();
    assertThat(prompt.role()).isEqualTo(ResponseInputMessageItem.Role.USER);
    assertThat(prompt.content().get(0).asInputText().text()).isEqualTo("List files");
    assertThat(items.get(1).asResponseOutputMessage().content().get(0).asOutputText().text()).isEqualTo("Looking.");
    assertThat(items.get(2).asFunctionCall().callId()).isEqualTo("T1");
    assertThat(items.get(3).asFunctionCallOutput().callId()).isEqualTo("T1");
    assertThat(items.stream().map(ResponsesApiTest::itemId).distinct()).hasSize(4);

    // newest first by default; ids are stable across calls
    TestGateway.Response desc = gw.get("/v1/responses/" + second.id() + "/input_items");
    assertThat(desc.status()).isEqualTo(200);
    JsonArray data = desc.json().getJsonArray("data");
    assertThat(data.getJsonObject(0).getString("type")).isEqualTo("function_call_output");
    assertThat(data.getJsonObject(0).getString("id")).isEqualTo(itemId(items.get(3)));
    assertThat(desc.json().getBoolean("has_more")).isFalse();
    assertThat(desc.json().getString("first_id")).isEqualTo(data.getJsonObject(0).getString("id"));

    // the first response's own input is just the prompt
    assertThat(gw.get("/v1/responses/" + first.id() + "/input_items").json().getJsonArray("data")).hasSize(1);

    // bad parameters and unknown ids answer in OpenAI's shape
    TestGateway.Response badLimit = gw.get("/v1/responses/" + second.id() + "/input_items?limit=0");
    assertThat(badLimit.status()).isEqualTo(400);
    assertThat(badLimit.json().getJsonObject("error").getString("message")).startsWith("limit:");
    assertThat(gw.get("/v1/responses/" + second.id() + "/input_items?order=up").status()).isEqualTo(400);
    assertThat(gw.get("/v1/responses/" + second.id() + "/input_items?after=nope").status()).isEqualTo(400);
    TestGateway.Response unknown = gw.get("/v1/responses/resp_unknown/input_items");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonObject("error").getString("type")).isNotNull();
  }

  static String itemId(ResponseItem item) {
    if (item.isResponseInputMessageItem()) return item.asResponseInputMessageItem().id();
    if (item.isResponseOutputMessage()) return item.asResponseOutputMessage().id();
    if (item.isFunctionCall()) return item.asFunctionCall().id().orElseThrow();
    return item.asFunctionCallOutput().id();
  }

  @Test
  void storeFalseKeepsNothing() {
    gw.emulator.enqueue(Scenario.text("ok"));
    Response r = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).input("hi").store(false).build());
    assertThat(r._additionalProperties().get("store")).isEqualTo(JsonValue.from(false));
    assertThatThrownBy(() -> sdk.responses().retrieve(r.id())).isInstanceOf(NotFoundException.class);
  }

  @Test
  void reasoningSummaryAndEncryptedContentRoundTrip() {
    gw.emulator.enqueue(Scenario.text("<thinking>", "Two plus two.", "</thinking>", "4"));
    TestGateway.Response wire = gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "2+2?")
        .put("stream", true).put("store", false).put("reasoning", new JsonObject().put("summary", "auto"))
        .put("include", new JsonArray().add("reasoning.encrypted_content")));
    assertThat(currentContent(lastUpstream())).contains("<thinking_mode>interleaved</thinking_mode>");
    List<JsonObject> events = events(wire);
    assertThat(events).extracting(e -> e.getString("type")).containsSubsequence(
        "response.output_item.added", "response.reasoning_summary_part.added", "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done", "response.reasoning_summary_part.done", "response.output_item.done",
        "response.output_item.added", "response.output_text.delta", "response.completed");
    JsonObject response = events.get(events.size() - 1).getJsonObject("response");
    JsonObject reasoning = response.getJsonArray("output").getJsonObject(0);
    assertThat(reasoning.getString("type")).isEqualTo("reasoning");
    assertThat(reasoning.getJsonArray("summary").getJsonObject(0).getString("text")).isEqualTo("Two plus two.");
    assertThat(reasoning.getString("encrypted_content")).isNotEmpty();
    assertThat(response.getJsonArray("output").getJsonObject(1).getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("4");
    assertThat(response.getJsonObject("usage").getJsonObject("output_tokens_details").getInteger("reasoning_tokens")).isPositive();

    // the reasoning item sent back replays the thinking before the assistant's answer
    gw.emulator.enqueue(Scenario.text("ok"));
    JsonArray input = new JsonArray().add(new JsonObject().put("role", "user").put("content", "2+2?"))
        .add(reasoning.copy().put("summary", new JsonArray()))
        .add(response.getJsonArray("output").getJsonObject(1))
        .add(new JsonObject().put("role", "user").put("content", "and 3+3?"));
    assertThat(gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", input).put("store", false)).status())
        .isEqualTo(200);
    JsonArray history = state(lastUpstream()).getJsonArray("history");
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").getString("content"))
        .isEqualTo("<thinking>Two plus two.</thinking>\n\n4");
  }

  @Test
  void maxOutputTokensMakesAnIncompleteResponse() {
    gw.emulator.enqueue(Scenario.text("one two three four five six seven eight"));
    Response r = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).input("count").maxOutputTokens(3).build());
    assertThat(r.status()).contains(ResponseStatus.INCOMPLETE);
    assertThat(r.incompleteDetails().orElseThrow().reason().orElseThrow().asString()).isEqualTo("max_output_tokens");
    assertThat(r.usage().orElseThrow().outputTokens()).isEqualTo(3);

    gw.emulator.enqueue(Scenario.text("one two three four five six seven eight"));
    List<JsonObject> events = events(gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "count")
        .put("stream", true).put("max_output_tokens", 3)));
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("response.incomplete");
    assertThat(last.getJsonObject("response").getJsonObject("incomplete_details").getString("reason")).isEqualTo("max_output_tokens");
  }

  @Test
  void failureAfterTheFirstByteIsAnErrorEventThenResponseFailed() {
    gw.emulator.enqueue(Scenario.exceptionAfter(2, "ThrottlingException", "{\"message\":\"Too many requests\"}"));
    List<JsonObject> events = events(gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "hi").put("stream", true)));
    assertThat(events).extracting(e -> e.getString("type")).endsWith("error", "response.failed");
    JsonObject failed = events.get(events.size() - 1).getJsonObject("response");
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getJsonObject("error").getString("message")).isNotEmpty();
  }

  @Test
  void failureBeforeTheFirstByteIsAnOpenAiError() {
    gw.emulator.enqueue(Scenario.malformed400());
    TestGateway.Response r = gw.postJson("/v1/responses", new JsonObject().put("model", MODEL).put("input", "hi"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getString("message")).isNotEmpty();
  }

  @Test
  void everyRejectionNamesTheField() {
    Map<String, JsonObject> bad = Map.of(
        "model", new JsonObject().put("input", "hi"),
        "input", new JsonObject().put("model", MODEL),
        "input[0].role", new JsonObject().put("model", MODEL).put("input", new JsonArray().add(new JsonObject().put("type", "message").put("role", "robot").put("content", "x"))),
        "input[0].content[0].image_url", new JsonObject().put("model", MODEL).put("input", new JsonArray().add(new JsonObject().put("role", "user")
            .put("content", new JsonArray().add(new JsonObject().put("type", "input_image").put("image_url", "https://example.com/a.png"))))),
        "input[0].arguments", new JsonObject().put("model", MODEL).put("input", new JsonArray().add(new JsonObject().put("type", "function_call")
            .put("call_id", "c").put("name", "f").put("arguments", "{oops"))),
        "max_output_tokens", new JsonObject().put("model", MODEL).put("input", "hi").put("max_output_tokens", 0),
        "tools[0].type", new JsonObject().put("model", MODEL).put("input", "hi").put("tools", new JsonArray().add(new JsonObject().put("type", "teleport"))),
        "text.format.type", new JsonObject().put("model", MODEL).put("input", "hi").put("text", new JsonObject().put("format", new JsonObject().put("type", "yaml"))),
        "include[0]", new JsonObject().put("model", MODEL).put("input", "hi").put("include", new JsonArray().add(3)),
        "stream", new JsonObject().put("model", MODEL).put("input", "hi").put("stream", "yes"));
    bad.forEach((field, body) -> {
      TestGateway.Response r = gw.postJson("/v1/responses", body);
      assertThat(r.status()).as(field).isEqualTo(400);
      JsonObject error = r.json().getJsonObject("error");
      assertThat(error.getString("type")).isEqualTo("invalid_request_error");
      assertThat(error.getString("message")).as(field).startsWith(field + ":");
    });
    assertThat(gw.emulator.chatRequests()).isEmpty();
  }

  @Test
  void unknownFieldsAndHostedToolsAreAccepted() {
    gw.emulator.enqueue(Scenario.text("ok"));
    JsonObject body = new JsonObject().put("model", MODEL).put("input", "hi").put("some_future_field", new JsonObject())
        .put("temperature", 0.2).put("top_p", 0.9).put("metadata", new JsonObject().put("k", "v")).put("user", "u1")
        .put("tools", new JsonArray().add(new JsonObject().put("type", "web_search")).add(new JsonObject().put("type", "file_search"))
            .add(new JsonObject().put("type", "code_interpreter")).add(new JsonObject().put("type", "image_generation")));
    TestGateway.Response r = gw.postJson("/v1/responses", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("metadata")).isEqualTo(new JsonObject().put("k", "v"));
    assertThat(r.json().getDouble("temperature")).isEqualTo(0.2);
    assertThat(state(lastUpstream()).getJsonObject("currentMessage").getJsonObject("userInputMessage")
        .getJsonObject("userInputMessageContext").containsKey("tools")).isFalse();
  }

  @Test
  void includeReasoningViaSdkRequestsThinking() {
    gw.emulator.enqueue(Scenario.text("<thinking>hm</thinking>", "ok"));
    Response r = sdk.responses().create(ResponseCreateParams.builder().model(MODEL).input("hi").store(false)
        .reasoning(Reasoning.builder().summary(Reasoning.Summary.AUTO).build())
        .include(List.of(ResponseIncludable.REASONING_ENCRYPTED_CONTENT)).build());
    assertThat(r.output().get(0).reasoning().orElseThrow().encryptedContent()).isPresent();
    assertThat(r.output().get(1).message().orElseThrow().content().get(0).outputText().orElseThrow().text()).isEqualTo("ok");
  }

  @Test
  void streamedToolCallThroughTheSdk() {
    gw.emulator.enqueue(Scenario.builder().toolUse("T9", "shell", "{\"cmd\":", "\"pwd\"}").build());
    ResponseAccumulator acc = ResponseAccumulator.create();
    try (StreamResponse<ResponseStreamEvent> s = sdk.responses().createStreaming(ResponseCreateParams.builder().model(MODEL)
        .addTool(shellTool()).input("Where am I?").build())) {
      s.stream().forEach(acc::accumulate);
    }
    ResponseFunctionToolCall call = acc.response().output().get(0).functionCall().orElseThrow();
    assertThat(call.callId()).isEqualTo("T9");
    assertThat(call.name()).isEqualTo("shell");
    assertThat(new JsonObject(call.arguments())).isEqualTo(new JsonObject("{\"cmd\":\"pwd\"}"));
    assertThat(acc.response().status()).contains(ResponseStatus.COMPLETED);
  }
}
