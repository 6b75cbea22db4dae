package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.models.messages.ContentBlockParam;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolResultBlockParam;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessage;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 9.1: in a tool loop every upstream request carries the system prompt exactly once, though
 * every request after the first ends with tool results only — for each front end, through the
 * official SDKs, as the emulator received them.
 */
class SystemPromptEveryTurnTest extends OpenAiGatewayTest {

  static final String SYSTEM = "You are TESTBOT-7F3. Always use the shell tool first.";
  static final int TURNS = 6;

  /** Requests 1..5 are answered with a tool call, request 6 with text. */
  void scriptToolLoop() {
    for (int i = 1; i < TURNS; i++) gw.emulator.enqueue(Scenario.builder().text("Step " + i + ".").toolUse("T" + i, "shell", "{\"cmd\":\"ls " + i + "\"}").build());
    gw.emulator.enqueue(Scenario.text("All done."));
  }

  /** Every recorded upstream request holds the system prompt once, in a strictly alternating history. */
  static void assertSystemPromptOncePerRequest(List<RecordedRequest> requests) {
    assertThat(requests).hasSize(TURNS);
    for (int i = 0; i < requests.size(); i++) {
      JsonObject state = requests.get(i).body().getJsonObject("conversationState");
      assertThat(occurrences(requests.get(i).rawBody(), SYSTEM)).as("request %d", i + 1).isEqualTo(1);
      JsonArray history = state.getJsonArray("history");
      for (int h = 0; h < history.size(); h++) {
        assertThat(history.getJsonObject(h).fieldNames()).as("request %d history[%d]", i + 1, h)
            .containsExactly(h % 2 == 0 ? "userInputMessage" : "assistantResponseMessage");
      }
      String content = state.getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content");
      if (i > 0) assertThat(content).as("request %d is tool results only", i + 1).isEmpty();
    }
  }

  static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length())) n++;
    return n;
  }

  @Test
  void claudeMessagesToolLoop() {
    scriptToolLoop();
    AnthropicClient claude = AnthropicOkHttpClient.builder().baseUrl(gw.baseUrl()).apiKey("k").maxRetries(0).build();
    try {
      MessageCreateParams params = MessageCreateParams.builder().model("claude-sonnet-4-5-20250929").maxTokens(1024)
          .system(SYSTEM)
          .addTool(Tool.builder().name("shell").description("Runs a command")
              .inputSchema(Tool.InputSchema.builder().build()).build())
          .addUserMessage("List the files.").build();
      for (int turn = 1; turn <= TURNS; turn++) {
        Message m = claude.messages().create(params);
        if (turn == TURNS) {
          assertThat(m.content().get(0).text().orElseThrow().text()).isEqualTo("All done.");
          break;
        }
        ToolUseBlock call = m.content().stream().flatMap(b -> b.toolUse().stream()).findFirst().orElseThrow();
        assertThat(call.id()).isEqualTo("T" + turn);
        params = params.toBuilder().addMessage(m).addUserMessageOfContentBlockParams(List.of(ContentBlockParam.ofToolResult(
            ToolResultBlockParam.builder().toolUseId(call.id()).content("file" + turn + ".txt").build()))).build();
      }
    } finally {
      claude.close();
    }
    assertSystemPromptOncePerRequest(gw.emulator.chatRequests());
  }

  @Test
  void openAiChatCompletionsToolLoop() {
    scriptToolLoop();
    ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model("claude-sonnet-4.5")
        .addSystemMessage(SYSTEM).addFunctionTool(OpenAiChatCompletionsTest.weatherFunction().toBuilder().name("shell").build())
        .addUserMessage("List the files.").build();
    for (int turn = 1; turn <= TURNS; turn++) {
      ChatCompletion c = sdk.chat().completions().create(params);
      ChatCompletionMessage m = c.choices().get(0).message();
      if (turn == TURNS) {
        assertThat(m.content()).contains("All done.");
        break;
      }
      String callId = m.toolCalls().orElseThrow().get(0).asFunction().id();
      assertThat(callId).isEqualTo("T" + turn);
      params = params.toBuilder().addMessage(m)
          .addMessage(ChatCompletionToolMessageParam.builder().toolCallId(callId).content("file" + turn + ".txt").build()).build();
    }
    assertSystemPromptOncePerRequest(gw.emulator.chatRequests());
  }

  @Test
  void openAiResponsesToolLoopWithPreviousResponseId() {
    scriptToolLoop();
    ResponseCreateParams params = ResponseCreateParams.builder().model("claude-sonnet-4.5").instructions(SYSTEM)
        .addTool(ResponsesApiTest.shellTool()).input("List the files.").build();
    for (int turn = 1; turn <= TURNS; turn++) {
      Response r = sdk.responses().create(params);
      if (turn == TURNS) {
        assertThat(r.output().get(0).message().orElseThrow().content().get(0).outputText().orElseThrow().text()).isEqualTo("All done.");
        break;
      }
      ResponseFunctionToolCall call = r.output().stream().flatMap(o -> o.functionCall().stream()).findFirst().orElseThrow();
      assertThat(call.callId()).isEqualTo("T" + turn);
      // instructions are not carried over by previous_response_id (as OpenAI): the client sends them again
      params = ResponseCreateParams.builder().model("claude-sonnet-4.5").instructions(SYSTEM).addTool(ResponsesApiTest.shellTool())
          .previousResponseId(r.id()).inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(
              ResponseInputItem.FunctionCallOutput.builder().callId(call.callId()).output("file" + turn + ".txt").build())))
          .build();
    }
    assertSystemPromptOncePerRequest(gw.emulator.chatRequests());
  }

  @Test
  void openAiResponsesToolLoopWithDeveloperMessagesAndStoreFalse() {
    scriptToolLoop();
    JsonArray input = new JsonArray()
        .add(new JsonObject().put("type", "message").put("role", "developer").put("content", SYSTEM))
        .add(new JsonObject().put("type", "message").put("role", "user").put("content", "List the files."));
    JsonArray tools = new JsonArray().add(new JsonObject().put("type", "function").put("name", "shell")
        .put("parameters", new JsonObject().put("type", "object")));
    for (int turn = 1; turn <= TURNS; turn++) {
      TestGateway.Response r = gw.postJson("/v1/responses", new JsonObject().put("model", "claude-sonnet-4.5")
          .put("input", input).put("tools", tools).put("store", false));
      assertThat(r.status()).isEqualTo(200);
      JsonArray output = r.json().getJsonArray("output");
      if (turn == TURNS) break;
      output.forEach(input::add);
      input.add(new JsonObject().put("type", "function_call_output").put("call_id", "T" + turn).put("output", "file" + turn + ".txt"));
    }
    assertSystemPromptOncePerRequest(gw.emulator.chatRequests());
  }
}
