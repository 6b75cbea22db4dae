package io.qbridge.api.anthropic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qbridge.convert.Conversation;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClaudeRequestParserTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      {"messages":[{"role":"user","content":"x"}]}                                  | model: field required
      {"model":5,"messages":[{"role":"user","content":"x"}]}                        | model: must be a string
      {"model":"m"}                                                                  | messages: field required
      {"model":"m","messages":[]}                                                    | messages: at least one
      {"model":"m","messages":["x"]}                                                 | messages.0: must be an object
      {"model":"m","messages":[{"role":"bot","content":"x"}]}                        | messages.0.role
      {"model":"m","messages":[{"role":"user","content":5}]}                         | messages.0.content
      {"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]}            | messages.0.content.0.type: field required
      {"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]}         | messages.0.content.0.text: field required
      {"model":"m","messages":[{"role":"assistant","content":[{"type":"thinking","thinking":5}]}]}   | messages.0.content.0.thinking: must be a string
      {"model":"m","messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":5}]}]} | messages.0.content.0.content
      {"model":"m","tools":[{"name":"f","description":7}],"messages":[{"role":"user","content":"x"}]} | tools.0.description: must be a string
      {"model":"m","max_tokens":0,"messages":[{"role":"user","content":"x"}]}        | max_tokens
      {"model":"m","stream":"yes","messages":[{"role":"user","content":"x"}]}        | stream: must be a boolean
      {"model":"m","system":5,"messages":[{"role":"user","content":"x"}]}            | system:
      {"model":"m","tools":{},"messages":[{"role":"user","content":"x"}]}            | tools: must be an array
      {"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"url","url":"http://x"}}]}]} | only base64 images
      {"model":"m","messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/bmp","data":"AA=="}}]}]} | image/png
      """)
  void rejectsBadRequestsNamingTheField(String body, String message) {
    assertThatThrownBy(() -> ClaudeRequestParser.parse(new JsonObject(body)))
        .isInstanceOf(GatewayException.class)
        .hasMessageContaining(message)
        .satisfies(e -> assertThat(((GatewayException) e).status()).isEqualTo(400));
  }

  @Test
  void acceptsUnknownFieldsAndClaudeCodeExtras() {
    Conversation c = ClaudeRequestParser.parse(new JsonObject("""
        {"model":"claude-opus-4-8","max_tokens":64000,"stream":true,"metadata":{"user_id":"x"},
         "thinking":{"type":"adaptive"},"context_management":{"edits":[]},"output_config":{"effort":"high"},
         "tools":[{"type":"web_search_20250305","name":"web_search"},{"name":"Bash","input_schema":{"type":"object"}}],
         "messages":[{"role":"user","content":[{"type":"text","text":"<system-reminder>r</system-reminder>"},
           {"type":"text","text":"say hi","cache_control":{"type":"ephemeral"}}]}],
         "some_future_field":1}"""));
    assertThat(c.modelId()).isEqualTo("claude-opus-4.5");
    assertThat(c.clientModel()).isEqualTo("claude-opus-4-8");
    assertThat(c.thinking()).isTrue();
    assertThat(c.tools()).extracting(Conversation.ToolSpec::name).containsExactly("Bash");
    assertThat(((Conversation.UserMessage) c.messages().get(0)).text()).isEqualTo("<system-reminder>r</system-reminder>\nsay hi");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
      true                                   | true
      false                                  | false
      "enabled"                              | true
      {"type":"enabled","budget_tokens":1024} | true
      {"type":"adaptive"}                     | true
      {"type":"disabled"}                     | false
      {"budget_tokens":10}                    | true
      """)
  void thinkingDetection(String json, boolean expected) {
    Object value = io.vertx.core.json.Json.decodeValue(json);
    assertThat(ClaudeRequestParser.thinkingRequested(value)).isEqualTo(expected);
  }
}
