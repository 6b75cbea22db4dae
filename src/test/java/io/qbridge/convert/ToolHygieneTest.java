package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qbridge.api.anthropic.ClaudeRequestParser;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** Everything the builder repairs so Amazon Q does not answer "Improperly formed request." */
class ToolHygieneTest {

  static QRequest build(String claudeJson) {
    return AmazonQRequestBuilderTest.BUILDER.build(ClaudeRequestParser.parse(new JsonObject(claudeJson)));
  }

  static JsonObject current(QRequest q) {
    return q.body().getJsonObject("conversationState").getJsonObject("currentMessage").getJsonObject("userInputMessage");
  }

  static JsonArray history(QRequest q) {
    return q.body().getJsonObject("conversationState").getJsonArray("history");
  }

  @Test
  void schemasAreCleanedAtEveryLevelButPropertyNamesAreKept() {
    JsonObject schema = ToolSchemas.clean(new JsonObject("""
        {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","required":[],
         "properties":{"required":{"type":"boolean"},"properties":{"type":"object","properties":{},"required":null},
                       "nested":{"type":"object","$schema":"x","properties":{"a":{"type":"string"}},"required":["a"]}},
         "additionalProperties":false}"""));
    assertThat(schema).isEqualTo(new JsonObject("""
        {"type":"object",
         "properties":{"required":{"type":"boolean"},"properties":{"type":"object"},
                       "nested":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}},
         "additionalProperties":false}"""));
    assertThat(ToolSchemas.clean(new JsonObject())).isEqualTo(new JsonObject().put("type", "object"));
  }

  @Test
  void longToolNamesAreShortenedAndMappedBack() {
    String longName = "mcp__some_really_long_server_name__and_an_even_longer_tool_name_that_goes_on";
    assertThat(longName.length()).isGreaterThan(64);
    QRequest q = build("""
        {"model":"m","tools":[{"name":"%s","description":"d","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"%s","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"done"}]}]}"""
        .formatted(longName, longName));
    String sent = current(q).getJsonObject("userInputMessageContext").getJsonArray("tools").getJsonObject(0)
        .getJsonObject("toolSpecification").getString("name");
    assertThat(sent).hasSize(63).startsWith(longName.substring(0, 54)).isEqualTo(ToolNames.toQ(longName));
    assertThat(history(q).getJsonObject(1).getJsonObject("assistantResponseMessage").getJsonArray("toolUses")
        .getJsonObject(0).getString("name")).isEqualTo(sent);
    assertThat(q.toolNames().toClient(sent)).isEqualTo(longName);
    assertThat(q.toolNames().toClient("Bash")).isEqualTo("Bash");
  }

  @Test
  void overlongDescriptionsMoveIntoTheprompt() {
    String desc = "x".repeat(12_000);
    QRequest q = build("""
        {"model":"m","tools":[{"name":"Big","description":"%s","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"go"}]}""".formatted(desc));
    String sentDesc = current(q).getJsonObject("userInputMessageContext").getJsonArray("tools").getJsonObject(0)
        .getJsonObject("toolSpecification").getString("description");
    assertThat(sentDesc).hasSize(10_100 + AmazonQRequestBuilder.TRUNCATION_NOTE.length()).endsWith("TOOL DOCUMENTATION section)");
    assertThat(current(q).getString("content")).startsWith(
        "--- TOOL DOCUMENTATION BEGIN ---\nTool: Big\nFull Description:\n" + desc + "\n--- TOOL DOCUMENTATION END ---\n\n");
  }

  @Test
  void toolsUsedInHistoryButNotOfferedGetPlaceholders() {
    QRequest q = build("""
        {"model":"m","messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"Read","input":{"path":"a"}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"file"},{"type":"text","text":"thanks"}]}]}""");
    JsonArray tools = current(q).getJsonObject("userInputMessageContext").getJsonArray("tools");
    assertThat(tools).hasSize(1);
    assertThat(tools.getJsonObject(0).getJsonObject("toolSpecification").getString("name")).isEqualTo("Read");
    assertThat(tools.getJsonObject(0).getJsonObject("toolSpecification").getString("description"))
        .isEqualTo(AmazonQRequestBuilder.PLACEHOLDER_DESCRIPTION);
  }

  @Test
  void toolResultsAreReorderedCompletedAndOrphansBecomeText() {
    QRequest q = build("""
        {"model":"m","tools":[{"name":"f","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}},
                                          {"type":"tool_use","id":"b","name":"f","input":{}},
                                          {"type":"tool_use","id":"c","name":"f","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"c","content":"C"},
                                     {"type":"tool_result","tool_use_id":"a","content":"","is_error":false},
                                     {"type":"tool_result","tool_use_id":"zzz","content":"stray"}]}]}""");
    JsonArray results = current(q).getJsonObject("userInputMessageContext").getJsonArray("toolResults");
    assertThat(results).isEqualTo(new JsonArray("""
        [{"toolUseId":"a","content":[{"text":"Command executed successfully"}],"status":"success"},
         {"toolUseId":"b","content":[{"text":"Tool use was cancelled by the user"}],"status":"error"},
         {"toolUseId":"c","content":[{"text":"C"}],"status":"success"}]"""));
    assertThat(current(q).getString("content")).contains("[Tool result for zzz]\nstray");
  }

  @Test
  void emptyErrorResultSaysCancelledAndDuplicatesMerge() {
    QRequest q = build("""
        {"model":"m","tools":[{"name":"f","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":"go"},
           {"role":"assistant","content":[{"type":"tool_use","id":"a","name":"f","input":{}}]},
           {"role":"user","content":[{"type":"tool_result","tool_use_id":"a","content":[],"is_error":true}]}]}""");
    assertThat(current(q).getJsonObject("userInputMessageContext").getJsonArray("toolResults").getJsonObject(0))
        .isEqualTo(new JsonObject("{\"toolUseId\":\"a\",\"content\":[{\"text\":\"Tool use was cancelled by the user\"}],\"status\":\"error\"}"));
    assertThat(current(q).getString("content")).isEmpty();
  }

  @Test
  void serverToolsAreDroppedAndThinkingHintGoesLast() {
    QRequest q = build("""
        {"model":"m","thinking":{"type":"enabled","budget_tokens":2048},
         "tools":[{"type":"web_search_20250305","name":"web_search","max_uses":5}],
         "messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b"},{"role":"user","content":"c"}]}""");
    assertThat(current(q).getJsonObject("userInputMessageContext").containsKey("tools")).isFalse();
    String hint = "<thinking_mode>interleaved</thinking_mode><max_thinking_length>2048</max_thinking_length>";
    assertThat(current(q).getString("content")).endsWith("--- USER MESSAGE END ---\n" + hint);
    assertThat(history(q).getJsonObject(0).getJsonObject("userInputMessage").getString("content")).isEqualTo("a\n" + hint);
  }

  @Test
  void imagesGoToImagesAndLimitsAreEnforced() {
    QRequest q = build("""
        {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"what is this"},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]}]}""");
    assertThat(current(q).getJsonArray("images")).isEqualTo(new JsonArray("[{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgo=\"}}]"));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      many.append(i == 0 ? "" : ",").append("{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"AAAA\"}}");
    }
    assertThatThrownBy(() -> build("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[" + many + "]}]}"))
        .isInstanceOf(GatewayException.class).hasMessageContaining("too many images");
    String big = "A".repeat(AmazonQRequestBuilder.MAX_IMAGE_BYTES / 3 * 4 + 8);
    assertThatThrownBy(() -> build("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"" + big + "\"}}]}]}"))
        .isInstanceOf(GatewayException.class).hasMessageContaining("10 MB");
  }
}
