package io.qbridge.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qbridge.convert.Conversation;
import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class ResponsesRequestParserTest {

  static Conversation conversation(String json) {
    ResponsesRequest r = ResponsesRequestParser.parse(new JsonObject(json));
    return ResponsesConversation.build(r, new JsonArray());
  }

  @Test
  void instructionsSystemDeveloperAndTextFormatFormTheSystemPrompt() {
    Conversation c = conversation("""
        {"model":"m","instructions":"I.","text":{"format":{"type":"json_object"}},
         "input":[{"role":"system","content":"S."},{"type":"message","role":"developer","content":[{"type":"input_text","text":"D."}]},
                  {"role":"user","content":"hi"}]}""");
    assertThat(c.system()).isEqualTo("I.\nS.\nD.\n\n" + io.qbridge.convert.JsonOutputInstructions.JSON_OBJECT);
    assertThat(c.messages()).containsExactly(UserMessage.text("hi"));
    assertThat(c.thinking()).isFalse();
  }

  @Test
  void stringInputIsOneUserMessage() {
    ResponsesRequest r = ResponsesRequestParser.parse(new JsonObject("{\"model\":\"m\",\"input\":\"hello\"}"));
    assertThat(r.store()).isTrue();
    assertThat(r.stream()).isFalse();
    assertThat(r.input()).isEqualTo(new JsonArray("[{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"hello\"}]}]"));
  }

  @Test
  void inputFileTextAndImagesReachTheUserTurn() {
    String file = "data:text/plain;base64," + Base64.getEncoder().encodeToString("line one".getBytes(StandardCharsets.UTF_8));
    Conversation c = conversation(new JsonObject().put("model", "m").put("input", new JsonArray().add(new JsonObject()
        .put("role", "user").put("content", new JsonArray()
            .add(new JsonObject().put("type", "input_text").put("text", "Read this"))
            .add(new JsonObject().put("type", "input_file").put("filename", "notes.txt").put("file_data", file))
            .add(new JsonObject().put("type", "input_image").put("image_url", "data:image/png;base64,iVBORw0KGgo="))))).encode());
    UserMessage u = (UserMessage) c.messages().get(0);
    assertThat(u.text()).isEqualTo("Read this\n[File: notes.txt]\nline one");
    assertThat(u.images()).containsExactly(new Conversation.Image("png", "iVBORw0KGgo="));
    assertThatThrownBy(() -> conversation("""
        {"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"file-1"}]}]}"""))
        .isInstanceOf(GatewayException.class).hasMessageStartingWith("input[0].content[0].file_data:");
  }

  @Test
  void namespaceToolsAreFlattenedAndHostedToolsDropped() {
    ResponsesRequest r = ResponsesRequestParser.parse(new JsonObject("""
        {"model":"m","input":"x","tools":[
          {"type":"function","name":"f","parameters":{"type":"object"}},
          {"type":"namespace","name":"ns","description":"Group.","tools":[{"type":"function","name":"g","description":"Does g."}]},
          {"type":"web_search"},{"type":"custom","name":"apply_patch"}]}"""));
    assertThat(r.tools()).extracting(Conversation.ToolSpec::name).containsExactly("f", "ns__g");
    assertThat(r.tools().get(1).description()).isEqualTo("Group.\n\nDoes g.");
    assertThat(r.namespaces().qualify("ns__g")).isEqualTo(new Namespaces.Qualified("ns", "g"));
    assertThat(r.namespaces().qualify("f")).isNull();
  }

  @Test
  void toolChoiceNoneOffersNoTools() {
    ResponsesRequest r = ResponsesRequestParser.parse(new JsonObject("""
        {"model":"m","input":"x","tool_choice":"none","tools":[{"type":"function","name":"f"}]}"""));
    assertThat(r.tools()).isEmpty();
  }

  @Test
  void reasoningTurnsThinkingOnUnlessEffortIsNone() {
    assertThat(conversation("{\"model\":\"m\",\"input\":\"x\",\"reasoning\":{\"summary\":\"auto\"}}").thinking()).isTrue();
    assertThat(conversation("{\"model\":\"m\",\"input\":\"x\",\"reasoning\":{\"effort\":\"high\"}}").thinkingBudget()).isEqualTo(24_576);
    assertThat(conversation("{\"model\":\"m\",\"input\":\"x\",\"reasoning\":{\"effort\":\"none\"}}").thinking()).isFalse();
  }

  @Test
  void functionCallsAndOutputsBecomeToolTurns() {
    Conversation c = conversation("""
        {"model":"m","input":[{"role":"user","content":"go"},
          {"type":"function_call","call_id":"c1","name":"f","arguments":"{\\"a\\":1}"},
          {"type":"function_call_output","call_id":"c1","output":[{"type":"input_text","text":"done"}]},
          {"type":"web_search_call","id":"ws_1","status":"completed"}]}""");
    assertThat(c.messages()).hasSize(3);
    AssistantMessage a = (AssistantMessage) c.messages().get(1);
    assertThat(a.toolCalls().get(0).input()).isEqualTo(new JsonObject().put("a", 1));
    UserMessage u = (UserMessage) c.messages().get(2);
    assertThat(u.toolResults().get(0).content()).containsExactly("done");
  }

  @Test
  void unsupportedFeaturesAreClear400s() {
    assertThatThrownBy(() -> ResponsesRequestParser.parse(new JsonObject("{\"model\":\"m\",\"input\":\"x\",\"background\":true}")))
        .hasMessageStartingWith("background:");
    assertThatThrownBy(() -> ResponsesRequestParser.parse(new JsonObject("{\"model\":\"m\",\"input\":[{\"type\":\"item_reference\",\"id\":\"x\"}]}")))
        .hasMessageStartingWith("input[0].type:");
    assertThatThrownBy(() -> conversation("{\"model\":\"m\",\"input\":[{\"role\":\"system\",\"content\":\"only rules\"}]}"))
        .hasMessageStartingWith("input:");
  }
}
