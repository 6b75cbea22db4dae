package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.RecordedRequest;
import io.qbridge.emulator.Scenario;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Codex CLI 0.169's first turn as captured in client-compat.md ({@code codex exec} against a custom
 * provider with {@code wire_api = "responses"}), replayed through qbridge to the emulator, then the
 * shell tool loop it runs: developer messages holding a ~20 KB system prompt, {@code store:false},
 * encrypted reasoning asked for, nine tools including a namespace tool and hosted web search.
 */
class CodexReplayTest extends OpenAiGatewayTest {

  static final String[] CODEX_HEADERS = {
      "accept", "text/event-stream", "authorization", "Bearer k", "originator", "codex_exec",
      "user-agent", "codex_exec/0.169.0 (Linux; x86_64)", "session-id", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b",
      "thread-id", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "x-client-request-id", "0199a1b2-0000-7000-8000-000000000001",
      "x-codex-window-id", "1", "x-codex-turn-metadata", "{\"turn\":1}", "x-codex-beta-features", "remote_compaction_v2"};

  /** A Codex-sized system prompt (~20 KB) with a marker the test can count. */
  static String codexPrompt() {
    StringBuilder sb = new StringBuilder("You are Codex, based on GPT-5. You are running as a coding agent in the Codex CLI. CODEX-PROMPT-MARKER\n");
    for (int i = 0; sb.length() < 20_000; i++) {
      sb.append("- Rule ").append(i).append(": prefer `rg` over `grep`; keep changes minimal and explain them briefly.\n");
    }
    return sb.toString();
  }

  static JsonObject function(String name, String... params) {
    JsonObject props = new JsonObject();
    for (String p : params) props.put(p, new JsonObject().put("type", "string"));
    return new JsonObject().put("type", "function").put("name", name).put("description", "Codex tool " + name).put("strict", false)
        .put("parameters", new JsonObject().put("type", "object").put("properties", props)
            .put("required", new JsonArray(List.of(params))).put("additionalProperties", false));
  }

  static JsonObject firstTurn() {
    JsonObject developer = new JsonObject().put("type", "message").put("role", "developer")
        .put("content", new JsonArray().add(new JsonObject().put("type", "input_text").put("text", codexPrompt())));
    JsonObject skills = new JsonObject().put("type", "message").put("role", "developer").put("content", new JsonArray()
        .add(new JsonObject().put("type", "input_text").put("text", "<skills_instructions>Skills live in ~/.codex/skills.</skills_instructions>"))
        .add(new JsonObject().put("type", "input_text").put("text", "<skill name=\"pdf\">Use for PDFs.</skill>")));
    JsonObject env = new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray().add(new JsonObject()
        .put("type", "input_text").put("text", "<environment_context>\n  <cwd>/work/demo</cwd>\n  <shell>bash</shell>\n"
            + "  <current_date>2026-12-01</current_date>\n  <timezone>Etc/UTC</timezone>\n</environment_context>")));
    JsonObject prompt = new JsonObject().put("type", "message").put("role", "user").put("content", new JsonArray().add(new JsonObject()
        .put("type", "input_text").put("text", "List the files in this directory.")));
    JsonArray tools = new JsonArray()
        .add(function("exec_command", "cmd", "justification"))
        .add(function("write_stdin", "session_id", "chars"))
        .add(function("request_user_input", "question"))
        .add(function("view_image", "path"))
        .add(function("get_goal"))
        .add(function("create_goal", "goal"))
        .add(function("update_goal", "goal"))
        .add(new JsonObject().put("type", "namespace").put("name", "multi_agent_v1").put("description", "Sub-agents.")
            .put("tools", new JsonArray().add(function("spawn_agent", "task")).add(function("send_input", "agent_id", "input"))
                .add(function("wait_agent", "agent_id")).add(function("resume_agent", "agent_id")).add(function("close_agent", "agent_id"))))
        .add(new JsonObject().put("type", "web_search").put("external_web_access", false));
    return new JsonObject().put("model", "claude-sonnet-4.5").put("instructions", (String) null).put("input", new JsonArray()
            .add(developer).add(skills).add(env).add(prompt))
        .put("tools", tools).put("tool_choice", "auto").put("parallel_tool_calls", true)
        .put("reasoning", new JsonObject().put("summary", "auto")).put("store", false).put("stream", true)
        .put("include", new JsonArray().add("reasoning.encrypted_content"))
        .put("prompt_cache_key", "0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")
        .put("client_metadata", new JsonObject().put("session_id", "0199a1b2").put("originator", "codex_exec"));
  }

  static List<JsonObject> events(TestGateway.Response r) {
    return ResponsesApiTest.events(r);
  }

  static JsonObject completed(List<JsonObject> events) {
    JsonObject last = events.get(events.size() - 1);
    assertThat(last.getString("type")).isEqualTo("response.completed");
    return last.getJsonObject("response");
  }

  @Test
  void firstTurnAndShellToolLoop() {
    // turn 1: the model thinks, then runs exec_command
    gw.emulator.enqueue(Scenario.builder().text("<thinking>I should list files.</thinking>")
        .toolUse("tooluse_1", "exec_command", "{\"cmd\":\"ls\",", "\"justification\":\"list\"}").build());
    JsonObject body = firstTurn();
    TestGateway.Response r = gw.postJson("/v1/responses", body, CODEX_HEADERS);
    assertThat(r.status()).isEqualTo(200);
    List<JsonObject> events = events(r);
    assertThat(events).extracting(e -> e.getString("type")).containsSubsequence(
        "response.output_item.added", "response.function_call_arguments.delta", "response.function_call_arguments.delta",
        "response.function_call_arguments.done", "response.output_item.done", "response.completed");
    JsonObject response = completed(events);
    JsonArray output = response.getJsonArray("output");
    assertThat(output.getJsonObject(0).getString("type")).isEqualTo("reasoning");
    assertThat(output.getJsonObject(0).getString("encrypted_content")).isNotEmpty();
    JsonObject call = output.getJsonObject(1);
    assertThat(call.getString("type")).isEqualTo("function_call");
    assertThat(call.getString("name")).isEqualTo("exec_command");
    assertThat(call.getString("call_id")).isEqualTo("tooluse_1");
    assertThat(new JsonObject(call.getString("arguments"))).isEqualTo(new JsonObject("{\"cmd\":\"ls\",\"justification\":\"list\"}"));

    RecordedRequest q1 = gw.emulator.chatRequests().get(0);
    JsonObject current = q1.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
    JsonArray specs = current.getJsonObject("userInputMessageContext").getJsonArray("tools");
    List<String> names = new ArrayList<>();
    specs.forEach(s -> names.add(((JsonObject) s).getJsonObject("toolSpecification").getString("name")));
    // seven functions and the five namespaced ones; hosted web_search is not offered
    assertThat(names).containsExactly("exec_command", "write_stdin", "request_user_input", "view_image", "get_goal",
        "create_goal", "update_goal", "multi_agent_v1__spawn_agent", "multi_agent_v1__send_input", "multi_agent_v1__wait_agent",
        "multi_agent_v1__resume_agent", "multi_agent_v1__close_agent");
    assertThat(current.getString("content")).contains("<skills_instructions>").contains("<thinking_mode>")
        .contains("--- USER MESSAGE BEGIN ---\n<environment_context>");
    assertThat(SystemPromptEveryTurnTest.occurrences(q1.rawBody(), "CODEX-PROMPT-MARKER")).isEqualTo(1);

    // turn 2 (store:false, so Codex resends everything): the reasoning and call go back with the output
    gw.emulator.enqueue(Scenario.text("There are two files."));
    JsonArray input = body.getJsonArray("input").copy().add(output.getJsonObject(0)).add(call)
        .add(new JsonObject().put("type", "function_call_output").put("call_id", "tooluse_1").put("output", "a.txt\nb.txt"));
    TestGateway.Response r2 = gw.postJson("/v1/responses", body.copy().put("input", input), CODEX_HEADERS);
    assertThat(completed(events(r2)).getJsonArray("output").getJsonObject(0).getJsonArray("content").getJsonObject(0).getString("text"))
        .isEqualTo("There are two files.");
    RecordedRequest q2 = gw.emulator.chatRequests().get(1);
    assertThat(SystemPromptEveryTurnTest.occurrences(q2.rawBody(), "CODEX-PROMPT-MARKER")).isEqualTo(1);
    JsonArray history = q2.body().getJsonObject("conversationState").getJsonArray("history");
    JsonObject assistant = history.getJsonObject(history.size() - 1).getJsonObject("assistantResponseMessage");
    assertThat(assistant.getString("content")).isEqualTo("<thinking>I should list files.</thinking>");
    assertThat(assistant.getJsonArray("toolUses").getJsonObject(0).getString("name")).isEqualTo("exec_command");
  }

  @Test
  void namespacedFunctionCallsMapBackExactly() {
    gw.emulator.enqueue(Scenario.toolUse("T1", "multi_agent_v1__spawn_agent", "{\"task\":\"tests\"}"));
    JsonObject body = firstTurn().put("stream", false).put("reasoning", (Object) null);
    TestGateway.Response r = gw.postJson("/v1/responses", body, CODEX_HEADERS);
    assertThat(r.status()).isEqualTo(200);
    JsonObject call = r.json().getJsonArray("output").getJsonObject(0);
    assertThat(call.getString("name")).isEqualTo("spawn_agent");
    assertThat(call.getString("namespace")).isEqualTo("multi_agent_v1");

    // sent back, the call is the flat name again, so Amazon Q sees the tool it called
    gw.emulator.enqueue(Scenario.text("spawned"));
    JsonArray input = body.getJsonArray("input").copy().add(call)
        .add(new JsonObject().put("type", "function_call_output").put("call_id", "T1").put("output", "agent-7"));
    assertThat(gw.postJson("/v1/responses", body.copy().put("input", input), CODEX_HEADERS).status()).isEqualTo(200);
    JsonArray history = gw.emulator.chatRequests().get(1).body().getJsonObject("conversationState").getJsonArray("history");
    JsonObject use = history.getJsonObject(history.size() - 1).getJsonObject("assistantResponseMessage").getJsonArray("toolUses").getJsonObject(0);
    assertThat(use.getString("name")).isEqualTo("multi_agent_v1__spawn_agent");
  }
}
