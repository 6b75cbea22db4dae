package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.api.anthropic.ClaudeRequestParser;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class AmazonQRequestBuilderTest {

  static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-19T10:00:00Z"), ZoneOffset.UTC);
  static final AmazonQRequestBuilder BUILDER = new AmazonQRequestBuilder(UpstreamTemplate.load("templates"), CLOCK);

  /**
   * The context entry's time: the day, milliseconds padded to three digits, the zone's offset; the
   * text of a second is reused within it (formatted once), never across seconds or zones.
   */
  @Test
  void currentTimeHasTheDayPaddedMillisecondsAndTheOffset() {
    AtomicReference<Instant> now = new AtomicReference<>(
        Instant.parse("2026-01-19T23:59:59.007Z"));
    Clock clock = new Clock() {
      @Override public ZoneId getZone() { return ZoneOffset.ofHours(8); }
      @Override public Clock withZone(ZoneId zone) { throw new UnsupportedOperationException(); }
      @Override public Instant instant() { return now.get(); }
    };
    AmazonQRequestBuilder builder = new AmazonQRequestBuilder(UpstreamTemplate.load("templates"), clock);
    JsonObject claude = new JsonObject("{\"model\":\"claude-sonnet-4-5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    Supplier<String> time = () -> builder.build(ClaudeRequestParser.parse(claude)).body()
        .getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage")
        .getString("content").lines().filter(l -> l.startsWith("Current time: ")).findFirst().orElseThrow();

    assertThat(time.get()).isEqualTo("Current time: Tuesday, 2026-01-20T07:59:59.007+08:00");
    now.set(Instant.parse("2026-01-19T23:59:59.090Z"));
    assertThat(time.get()).isEqualTo("Current time: Tuesday, 2026-01-20T07:59:59.090+08:00");
    now.set(Instant.parse("2026-01-20T16:00:00.999Z"));
    assertThat(time.get()).isEqualTo("Current time: Wednesday, 2026-01-21T00:00:00.999+08:00");
    assertThat(new AmazonQRequestBuilder(UpstreamTemplate.load("templates"), Clock.fixed(Instant.parse("2026-01-19T10:00:00Z"),
        ZoneOffset.UTC)).build(ClaudeRequestParser.parse(claude)).body().encode()).contains("Current time: Monday, 2026-01-19T10:00:00.000Z");
  }

  /** The hand-derived end-to-end example of protocol doc §12.3, first turn. */
  @Test
  void protocolDocExampleFirstTurn() {
    JsonObject claude = new JsonObject("""
        {"model":"claude-sonnet-4-5-20250929","stream":true,"system":"Be brief.",
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],
         "messages":[{"role":"user","content":"Weather in Paris?"}]}""");
    JsonObject q = BUILDER.build(ClaudeRequestParser.parse(claude)).body();
    JsonObject state = q.getJsonObject("conversationState");
    assertThat(state.getString("conversationId")).matches("[0-9a-f-]{36}");
    assertThat(state.getString("chatTriggerType")).isEqualTo("MANUAL");
    assertThat(state.getJsonArray("history")).isEmpty();
    JsonObject expected = new JsonObject("""
        {"content":"--- SYSTEM PROMPT BEGIN ---\\nBe brief.\\n--- SYSTEM PROMPT END ---\\n\\n--- CONTEXT ENTRY BEGIN ---\\nCurrent time: Monday, 2026-01-19T10:00:00.000Z\\n--- CONTEXT ENTRY END ---\\n\\n--- USER MESSAGE BEGIN ---\\nWeather in Paris?\\n--- USER MESSAGE END ---",
         "userInputMessageContext":{"envState":{"operatingSystem":"macos","currentWorkingDirectory":"/"},
           "tools":[{"toolSpecification":{"name":"get_weather","description":"Weather","inputSchema":{"json":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}}]},
         "origin":"KIRO_CLI","modelId":"claude-sonnet-4.5"}""");
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage")).isEqualTo(expected);
  }

  /** §12.3 second turn: history holds the system prompt pair and the first exchange, current carries only tool results. */
  @Test
  void protocolDocExampleSecondTurn() {
    JsonObject claude = new JsonObject("""
        {"model":"claude-sonnet-4-5-20250929","system":"Be brief.",
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"Weather in Paris?"},
           {"role":"assistant","content":[{"type":"text","text":"Checking."},{"type":"tool_use","id":"T","name":"get_weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"18°C"}]}]}""");
    JsonObject state = BUILDER.build(ClaudeRequestParser.parse(claude)).body().getJsonObject("conversationState");
    JsonArray history = state.getJsonArray("history");
    // unlike q2api, the system prompt is not lost: it leads the history (issue 9)
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content")).contains("Be brief.");
    assertThat(history.getJsonObject(2).getJsonObject("userInputMessage").getString("content")).isEqualTo("Weather in Paris?");
    JsonObject assistant = history.getJsonObject(3).getJsonObject("assistantResponseMessage");
    assertThat(assistant.getString("content")).isEqualTo("Checking.");
    assertThat(assistant.getJsonArray("toolUses")).isEqualTo(new JsonArray(
        "[{\"toolUseId\":\"T\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]"));
    JsonObject current = state.getJsonObject("currentMessage").getJsonObject("userInputMessage");
    assertThat(current.getString("content")).isEmpty();
    assertThat(current.getJsonObject("userInputMessageContext").getJsonArray("toolResults")).isEqualTo(new JsonArray(
        "[{\"toolUseId\":\"T\",\"content\":[{\"text\":\"18°C\"}],\"status\":\"success\"}]"));
    assertThat(current.getJsonObject("userInputMessageContext").getJsonArray("tools")).hasSize(1);
  }

  @Test
  void multiTurnTextHistoryAlternates() {
    JsonObject claude = new JsonObject("""
        {"model":"claude-sonnet-4.5","messages":[
          {"role":"user","content":"one"},{"role":"user","content":"two"},
          {"role":"assistant","content":"A"},{"role":"assistant","content":"B"},
          {"role":"user","content":[{"type":"text","text":"three"}]}]}""");
    JsonArray history = BUILDER.build(ClaudeRequestParser.parse(claude)).body().getJsonObject("conversationState").getJsonArray("history");
    assertThat(history).hasSize(2);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content")).isEqualTo("one\n\ntwo");
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").containsKey("modelId")).isFalse();
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").getString("content")).isEqualTo("A\n\nB");
  }

  @Test
  void historyStartingWithAssistantAndPrefillAreRepaired() {
    JsonObject claude = new JsonObject("""
        {"model":"claude-sonnet-4.5","messages":[
          {"role":"assistant","content":"hello"},{"role":"user","content":"hi"},{"role":"assistant","content":"prefill"}]}""");
    JsonObject state = BUILDER.build(ClaudeRequestParser.parse(claude)).body().getJsonObject("conversationState");
    JsonArray history = state.getJsonArray("history");
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content"))
        .isEqualTo(AmazonQRequestBuilder.HISTORY_START_PLACEHOLDER);
    assertThat(history.getJsonObject(3).getJsonObject("assistantResponseMessage").getString("content")).isEqualTo("prefill");
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content"))
        .contains("--- USER MESSAGE BEGIN ---\n" + AmazonQRequestBuilder.CONTINUE_PROMPT + "\n");
  }

  @Test
  void systemBlocksAndSystemRoleMessagesJoin() {
    JsonObject claude = new JsonObject("""
        {"model":"claude-sonnet-4.5","system":[{"type":"text","text":"A","cache_control":{"type":"ephemeral"}},{"type":"text","text":"B"}],
         "messages":[{"role":"user","content":"q"},{"role":"system","content":"C"}]}""");
    String content = BUILDER.build(ClaudeRequestParser.parse(claude)).body().getJsonObject("conversationState")
        .getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content");
    assertThat(content).startsWith("--- SYSTEM PROMPT BEGIN ---\nA\nB\nC\n--- SYSTEM PROMPT END ---\n\n");
  }

  // ---------------------------------------------------------------- system prompt on every turn (issue 9)

  static JsonObject state(String claudeJson) {
    return BUILDER.build(ClaudeRequestParser.parse(new JsonObject(claudeJson))).body().getJsonObject("conversationState");
  }

  static int occurrences(String haystack, String needle) {
    int n = 0;
    for (int at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length())) n++;
    return n;
  }

  /** Strict alternation starting with a user turn, the rule Amazon Q enforces (§6.7). */
  static void assertAlternates(JsonArray history) {
    for (int i = 0; i < history.size(); i++) {
      String expected = i % 2 == 0 ? "userInputMessage" : "assistantResponseMessage";
      assertThat(history.getJsonObject(i).fieldNames()).as("history[%d]", i).containsExactly(expected);
    }
  }

  @Test
  void toolResultTurnCarriesTheSystemPromptInHistoryAsALeadingPair() {
    JsonObject state = state("""
        {"model":"claude-sonnet-4.5","system":"Be brief.",
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"Weather in Paris?"},
           {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"get_weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"18°C"}]}]}""");
    JsonArray history = state.getJsonArray("history");
    assertAlternates(history);
    assertThat(history).hasSize(4);
    assertThat(history.getJsonObject(0)).isEqualTo(new JsonObject("""
        {"userInputMessage":{"content":"--- SYSTEM PROMPT BEGIN ---\\nBe brief.\\n--- SYSTEM PROMPT END ---",
          "userInputMessageContext":{"envState":{"operatingSystem":"macos","currentWorkingDirectory":"/"}},"origin":"KIRO_CLI"}}"""));
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").getString("content"))
        .isEqualTo(AmazonQRequestBuilder.SYSTEM_ACK);
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").containsKey("toolUses")).isFalse();
    assertThat(history.getJsonObject(2).getJsonObject("userInputMessage").getString("content")).isEqualTo("Weather in Paris?");
    JsonObject current = state.getJsonObject("currentMessage").getJsonObject("userInputMessage");
    assertThat(current.getString("content")).isEmpty();
    assertThat(occurrences(state.encode(), "Be brief.")).isEqualTo(1);
  }

  @Test
  void textTurnKeepsTheSystemPromptInTheCurrentMessageOnly() {
    JsonObject state = state("""
        {"model":"claude-sonnet-4.5","system":"Be brief.",
         "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"Weather in Paris?"},
           {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"get_weather","input":{"city":"Paris"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"18°C"},{"type":"text","text":"And Rome?"}]}]}""");
    assertThat(state.getJsonArray("history")).hasSize(2);
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content"))
        .startsWith("--- SYSTEM PROMPT BEGIN ---\nBe brief.\n--- SYSTEM PROMPT END ---\n\n--- CONTEXT ENTRY BEGIN ---")
        .endsWith("--- USER MESSAGE BEGIN ---\nAnd Rome?\n--- USER MESSAGE END ---");
    assertThat(occurrences(state.encode(), "Be brief.")).isEqualTo(1);
  }

  @Test
  void noSystemPromptNoPair() {
    JsonObject state = state("""
        {"model":"claude-sonnet-4.5","messages":[{"role":"user","content":"q"},
           {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"t","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"r"}]}]}""");
    assertThat(state.getJsonArray("history")).hasSize(2);
    assertThat(state.getJsonArray("history").getJsonObject(0).getJsonObject("userInputMessage").getString("content")).isEqualTo("q");
  }

  @Test
  void thePairReplacesTheConversationStartPlaceholder() {
    // the client's history opens with the assistant: the system turn is the user turn before it
    JsonObject state = state("""
        {"model":"claude-sonnet-4.5","system":"Rules.","messages":[
           {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"t","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"r"}]}]}""");
    JsonArray history = state.getJsonArray("history");
    assertAlternates(history);
    assertThat(history).hasSize(2);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content"))
        .isEqualTo("--- SYSTEM PROMPT BEGIN ---\nRules.\n--- SYSTEM PROMPT END ---");
    assertThat(history.getJsonObject(1).getJsonObject("assistantResponseMessage").getJsonArray("toolUses")).hasSize(1);
    assertThat(state.encode()).doesNotContain(AmazonQRequestBuilder.HISTORY_START_PLACEHOLDER);
  }

  @Test
  void thinkingHintStaysOnRealUserTurnsAndIsTheWholeToolResultContent() {
    JsonObject state = state("""
        {"model":"claude-sonnet-4.5","system":"Rules.","thinking":{"type":"enabled","budget_tokens":2000},
         "messages":[{"role":"user","content":"q"},
           {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"t","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"r"}]}]}""");
    String hint = "<thinking_mode>interleaved</thinking_mode><max_thinking_length>2000</max_thinking_length>";
    JsonArray history = state.getJsonArray("history");
    assertAlternates(history);
    assertThat(history.getJsonObject(0).getJsonObject("userInputMessage").getString("content")).doesNotContain(hint);
    assertThat(history.getJsonObject(2).getJsonObject("userInputMessage").getString("content")).isEqualTo("q\n" + hint);
    assertThat(state.getJsonObject("currentMessage").getJsonObject("userInputMessage").getString("content")).isEqualTo(hint);
    assertThat(occurrences(state.encode(), "Rules.")).isEqualTo(1);
  }

  @Test
  void longToolDocumentationTravelsWithTheSystemPrompt() {
    String longDescription = "d".repeat(AmazonQRequestBuilder.MAX_DESCRIPTION + 1);
    JsonObject state = state(new JsonObject().put("model", "claude-sonnet-4.5").put("system", "Rules.")
        .put("tools", new JsonArray().add(new JsonObject().put("name", "big").put("description", longDescription)))
        .put("messages", new JsonArray("""
            [{"role":"user","content":"q"},
             {"role":"assistant","content":[{"type":"tool_use","id":"T","name":"big","input":{}}]},
             {"role":"user","content":[{"type":"tool_result","tool_use_id":"T","content":"r"}]}]""")).encode());
    String first = state.getJsonArray("history").getJsonObject(0).getJsonObject("userInputMessage").getString("content");
    assertThat(first).startsWith("--- TOOL DOCUMENTATION BEGIN ---\nTool: big\nFull Description:\n" + longDescription)
        .endsWith("--- SYSTEM PROMPT BEGIN ---\nRules.\n--- SYSTEM PROMPT END ---");
    assertThat(occurrences(state.encode(), longDescription)).isEqualTo(1);
  }

  @Test
  void sixTurnToolLoopCarriesTheSystemPromptOnceEveryTurn() {
    JsonArray messages = new JsonArray().add(new JsonObject().put("role", "user").put("content", "start"));
    for (int turn = 0; turn < 6; turn++) {
      JsonObject state = state(new JsonObject().put("model", "claude-sonnet-4.5").put("system", "SYSTEM-XYZ")
          .put("tools", new JsonArray().add(new JsonObject().put("name", "sh").put("description", "shell")))
          .put("messages", messages).encode());
      assertThat(occurrences(state.encode(), "SYSTEM-XYZ")).as("turn %d", turn).isEqualTo(1);
      assertAlternates(state.getJsonArray("history"));
      messages.add(new JsonObject().put("role", "assistant").put("content", new JsonArray().add(new JsonObject()
          .put("type", "tool_use").put("id", "T" + turn).put("name", "sh").put("input", new JsonObject()))));
      messages.add(new JsonObject().put("role", "user").put("content", new JsonArray().add(new JsonObject()
          .put("type", "tool_result").put("tool_use_id", "T" + turn).put("content", "out " + turn))));
    }
  }
}
