package io.qbridge.api.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qbridge.convert.Conversation;
import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Image;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChatRequestParserTest {

  static ChatRequest parse(String json) {
    return ChatRequestParser.parse(new JsonObject(json));
  }

  static String rejection(String json) {
    GatewayException e = (GatewayException) org.assertj.core.api.Assertions.catchThrowable(() -> parse(json));
    assertThat(e).as("expected a rejection of " + json).isNotNull();
    assertThat(e.status()).isEqualTo(400);
    return e.getMessage();
  }

  @Test
  void structuredHistoryWithToolCallsAndResults() {
    ChatRequest r = parse("""
        {"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true},"max_tokens":50,"stop":["END",""],
         "messages":[
          {"role":"system","content":"Be brief."},
          {"role":"developer","content":[{"type":"text","text":"Use tools."}]},
          {"role":"user","content":[{"type":"text","text":"Weather?"},{"type":"image_url","image_url":{"url":"data:image/jpg;base64,AAAA","detail":"low"}}]},
          {"role":"assistant","content":null,"tool_calls":[
            {"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}},
            {"id":"c2","type":"function","function":{"name":"get_time","arguments":""}},
            {"id":"c3","type":"function","function":{"name":"get_date","arguments":"null"}}]},
          {"role":"tool","tool_call_id":"c1","content":"18°C"},
          {"role":"tool","tool_call_id":"c2","content":[{"type":"text","text":"noon"}]},
          {"role":"user","content":"Thanks"}]}""");
    assertThat(r.stream()).isTrue();
    assertThat(r.includeUsage()).isTrue();
    assertThat(r.maxTokens()).isEqualTo(50);
    assertThat(r.stop()).containsExactly("END");
    Conversation c = r.conversation();
    assertThat(c.clientModel()).isEqualTo("gpt-4o");
    assertThat(c.modelId()).isEqualTo("claude-sonnet-4.5");
    assertThat(c.system()).isEqualTo("Be brief.\nUse tools.");
    assertThat(c.thinking()).isFalse();
    assertThat(c.messages()).containsExactly(
        new UserMessage("Weather?", List.of(), List.of(new Image("jpeg", "AAAA"))),
        new AssistantMessage("", List.of(
            new ToolCall("c1", "get_weather", new JsonObject().put("city", "Paris")),
            new ToolCall("c2", "get_time", new JsonObject()),
            new ToolCall("c3", "get_date", new JsonObject()))),
        new UserMessage("", List.of(new ToolResult("c1", List.of("18°C"), false)), List.of()),
        new UserMessage("", List.of(new ToolResult("c2", List.of("noon"), false)), List.of()),
        UserMessage.text("Thanks"));
  }

  @Test
  void toolShapesFunctionFlatAndLegacy() {
    Conversation c = parse("""
        {"model":"m","messages":[{"role":"user","content":"x"}],
         "tools":[{"type":"function","function":{"name":"a","description":"A","parameters":{"type":"object","properties":{}}}},
                  {"type":"function","name":"b","parameters":{"type":"object"}},
                  {"name":"c","input_schema":{"type":"object"}},
                  {"type":"web_search_preview"}],
         "functions":[{"name":"d"}]}""").conversation();
    assertThat(c.tools()).containsExactly(
        new ToolSpec("a", "A", new JsonObject("{\"type\":\"object\",\"properties\":{}}")),
        new ToolSpec("b", null, new JsonObject("{\"type\":\"object\"}")),
        new ToolSpec("c", null, new JsonObject("{\"type\":\"object\"}")),
        new ToolSpec("d", null, new JsonObject("{\"type\":\"object\"}")));
    assertThat(parse("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"none",
         "tools":[{"type":"function","function":{"name":"a"}}]}""").conversation().tools()).isEmpty();
    assertThat(parse("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function","function":{"name":"a"}},
         "tools":[{"type":"function","function":{"name":"a"}}]}""").conversation().tools()).hasSize(1);
  }

  @Test
  void legacyFunctionCallAndFunctionMessagePair() {
    Conversation c = parse("""
        {"model":"m","messages":[{"role":"user","content":"x"},
          {"role":"assistant","function_call":{"name":"run","arguments":"{\\"a\\":1}"}},
          {"role":"function","name":"run","content":"done"}]}""").conversation();
    ToolCall call = ((AssistantMessage) c.messages().get(1)).toolCalls().get(0);
    assertThat(call).isEqualTo(new ToolCall("call_legacy_1", "run", new JsonObject().put("a", 1)));
    assertThat(((UserMessage) c.messages().get(2)).toolResults()).containsExactly(new ToolResult("call_legacy_1", List.of("done"), false));
  }

  @Test
  void reasoningEffortRequestsThinkingWithABudget() {
    String base = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";
    assertThat(parse(base + ",\"reasoning_effort\":\"low\"}").conversation().thinkingBudget()).isEqualTo(4096);
    assertThat(parse(base + ",\"reasoning_effort\":\"high\"}").conversation().thinkingBudget()).isEqualTo(24_576);
    assertThat(parse(base + ",\"reasoning_effort\":\"medium\"}").conversation().thinking()).isTrue();
    assertThat(parse(base + ",\"reasoning_effort\":\"none\"}").conversation().thinking()).isFalse();
    assertThat(parse(base + ",\"reasoning\":{\"effort\":\"minimal\"}}").conversation().thinkingBudget()).isEqualTo(1024);
    assertThat(parse(base + "}").conversation().thinking()).isFalse();
  }

  @Test
  void replayedReasoningContentIsWrappedInThinkingTags() {
    Conversation c = parse("""
        {"model":"m","messages":[{"role":"user","content":"x"},
          {"role":"assistant","reasoning_content":"hmm","content":[{"type":"text","text":"ok"},{"type":"refusal","refusal":"no"}]},
          {"role":"user","content":"y"}]}""").conversation();
    assertThat(((AssistantMessage) c.messages().get(1)).text()).isEqualTo("<thinking>hmm</thinking>\nok\nno");
  }

  @Test
  void responseFormatBecomesASystemInstruction() {
    Conversation c = parse("""
        {"model":"m","messages":[{"role":"system","content":"S"},{"role":"user","content":"x"}],
         "response_format":{"type":"json_schema","json_schema":{"name":"answer","schema":{"type":"object"}}}}""").conversation();
    assertThat(c.system()).isEqualTo("S\n\nRespond with JSON only, no prose and no code fences, conforming to this JSON schema \"answer\":\n{\"type\":\"object\"}");
    assertThat(parse("""
        {"model":"m","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}""").conversation().system())
        .isEqualTo(io.qbridge.convert.JsonOutputInstructions.JSON_OBJECT);
  }

  @Test
  void acceptedAndIgnoredParameters() {
    ChatRequest r = parse("""
        {"model":"m","messages":[{"role":"user","content":"x","name":"alice"}],"n":1,"temperature":0.5,"top_p":1,
         "seed":1,"user":"u","parallel_tool_calls":true,"logprobs":false,"presence_penalty":0,"frequency_penalty":0,
         "logit_bias":{},"metadata":{},"store":false,"service_tier":"auto","stream":null,"max_completion_tokens":9,"max_tokens":20,
         "unknown_future_field":[1,2]}""");
    assertThat(r.stream()).isFalse();
    assertThat(r.maxTokens()).isEqualTo(9);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{'messages':[{'role':'user','content':'x'}]}                                          | model: field required",
      "{'model':'','messages':[{'role':'user','content':'x'}]}                               | model: must not be empty",
      "{'model':'m'}                                                                         | messages: field required and must be an array",
      "{'model':'m','messages':[]}                                                           | messages: at least one message is required",
      "{'model':'m','messages':[{'role':'system','content':'s'}]}                            | messages: at least one user, assistant or tool message is required",
      "{'model':'m','messages':['hi']}                                                       | messages[0]: must be an object",
      "{'model':'m','messages':[{'content':'x'}]}                                            | messages[0].role: field required",
      "{'model':'m','messages':[{'role':'bot','content':'x'}]}                               | messages[0].role: must be one of system, developer, user, assistant, tool",
      "{'model':'m','messages':[{'role':'user'}]}                                            | messages[0].content: field required",
      "{'model':'m','messages':[{'role':'user','content':5}]}                                | messages[0].content: must be a string or an array of content parts",
      "{'model':'m','messages':[{'role':'user','content':[{'text':'x'}]}]}                   | messages[0].content[0].type: field required",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'text'}]}]}                | messages[0].content[0].text: field required",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'input_audio'}]}]}         | messages[0].content[0].type: 'input_audio' is not supported; Amazon Q accepts text and image_url parts",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url'}]}]}           | messages[0].content[0].image_url: field required and must be an object with a url",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'http://x/a.png'}}]}]} | messages[0].content[0].image_url.url: http(s) image URLs are not supported because Amazon Q cannot fetch them; send the image inline as a data URL (data:image/png;base64,...)",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'ftp://x'}}]}]}        | messages[0].content[0].image_url.url: must be a data URL (data:image/png;base64,...)",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png,abc'}}]}]} | messages[0].content[0].image_url.url: the data URL must be base64-encoded",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/bmp;base64,AA'}}]}]} | messages[0].content[0].image_url.url: image type 'image/bmp' is not supported; use image/png, image/jpeg, image/gif or image/webp",
      "{'model':'m','messages':[{'role':'user','content':[{'type':'image_url','image_url':{'url':'data:image/png;base64,'}}]}]} | messages[0].content[0].image_url.url: the data URL holds no image data",
      "{'model':'m','messages':[{'role':'system','content':[{'type':'image_url'}]},{'role':'user','content':'x'}]}     | messages[0].content[0].type: only text parts are allowed here",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':{}}]}                     | messages[1].tool_calls: must be an array",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'type':'function','function':{'name':'f'}}]}]} | messages[1].tool_calls[0].id: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'id':'c','type':'custom'}]}]} | messages[1].tool_calls[0].type: only 'function' tool calls are supported",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'id':'c'}]}]}             | messages[1].tool_calls[0].function: field required and must be an object",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'id':'c','function':{}}]}]} | messages[1].tool_calls[0].function.name: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'id':'c','function':{'name':'f','arguments':'[1]'}}]}]} | messages[1].tool_calls[0].function.arguments: must be a JSON object, got a JSON array",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','tool_calls':[{'id':'c','function':{'name':'f','arguments':7}}]}]}     | messages[1].tool_calls[0].function.arguments: must be a string holding a JSON object",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','function_call':{'arguments':'{}'}}]}   | messages[1].function_call.name: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'},{'role':'assistant','content':[{'type':'image_url'}]}]}     | messages[1].content[0].type: must be 'text' or 'refusal' in an assistant message",
      "{'model':'m','messages':[{'role':'tool','content':'x'}]}                              | messages[0].tool_call_id: field required",
      "{'model':'m','messages':[{'role':'tool','tool_call_id':3,'content':'x'}]}             | messages[0].tool_call_id: must be a string",
      "{'model':'m','messages':[{'role':'function','content':'x'}]}                          | messages[0].name: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'n':2}                        | n: only n=1 is supported; Amazon Q returns one answer per request",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'n':0}                        | n: must be at least 1",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'n':1.5}                      | n: must be an integer",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'stream':'true'}              | stream: must be a boolean",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'stream_options':true}        | stream_options: must be an object",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'stream_options':{'include_usage':1}} | stream_options.include_usage: must be a boolean",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'max_tokens':0}               | max_tokens: must be a positive integer",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'max_completion_tokens':'9'}  | max_completion_tokens: must be a positive integer",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'stop':5}                     | stop: must be a string or an array of strings",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'stop':['a',1]}               | stop[1]: must be a string",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'reasoning_effort':1}         | reasoning_effort: must be a string",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tool_choice':'always'}       | tool_choice: must be 'none', 'auto', 'required' or an object naming a function",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':{}}                   | tools: must be an array",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function'}]} | tools[0].function: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':[]}]} | tools[0].function: must be an object",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':{'description':'d'}}]} | tools[0].function.name: field required",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'tools':[{'type':'function','function':{'name':'f','parameters':'x'}}]} | tools[0].function.parameters: must be an object",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'functions':[{'name':' '}]}    | functions[0].name: must not be empty",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':'xml'}} | response_format.type: must be 'text', 'json_object' or 'json_schema'",
      "{'model':'m','messages':[{'role':'user','content':'x'}],'response_format':{'type':'json_schema'}} | response_format.json_schema: field required and must be an object",
  })
  void everyRejectionNamesTheField(String json, String message) {
    assertThat(rejection(json.replace('\'', '"'))).isEqualTo(message.trim());
  }

  @Test
  void invalidArgumentsJsonNamesTheExactPath() {
    String message = rejection("""
        {"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":"y"},
          {"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\\"a\\":"}}]}]}""");
    assertThat(message).startsWith("messages[2].tool_calls[0].function.arguments: is not valid JSON (");
  }

  @Test
  void nonObjectBodiesOfFieldsAreNotSilentlyAccepted() {
    assertThatThrownBy(() -> parse("{\"model\":7,\"messages\":[]}")).hasMessage("model: must be a string");
  }
}
