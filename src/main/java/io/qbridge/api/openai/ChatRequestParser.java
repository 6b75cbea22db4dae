package io.qbridge.api.openai;

import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Image;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.DataUrlImages;
import io.qbridge.convert.ModelMapper;
import io.qbridge.convert.RequestFields;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a Chat Completions request into a {@link ChatRequest} around the shared
 * {@link Conversation} (protocol doc §7.2): structure is kept (history, tool calls, tool results,
 * images) instead of q2api's one text blob. Alternation and tool-result repair are the builder's
 * job, as for the Claude path. Every rejection is a 400 whose message starts with the offending
 * field in OpenAI's notation ({@code messages[2].tool_calls[0].function.arguments}). Unknown
 * fields are accepted and ignored.
 */
final class ChatRequestParser {

  /** {@code reasoning_effort} → thinking length hint; medium (and unknown efforts) use the builder's default. */
  private static final Map<String, Integer> EFFORT_BUDGET = Map.of("minimal", 1024, "low", 4096, "medium", 0, "high", 24_576);

  private ChatRequestParser() {}

  static ChatRequest parse(JsonObject body) {
    String model = requireString(body, "model", "model");
    if (model.isBlank()) throw bad("model: must not be empty");
    if (!(body.getValue("messages") instanceof JsonArray messages)) throw bad("messages: field required and must be an array");
    if (messages.isEmpty()) throw bad("messages: at least one message is required");
    checkN(body.getValue("n"));
    boolean stream = optBoolean(body, "stream", "stream");
    boolean includeUsage = includeUsage(body.getValue("stream_options"));
    int maxTokens = maxTokens(body);
    List<String> stop = stops(body.getValue("stop"));
    String effort = reasoningEffort(body);
    boolean toolsOff = toolsDisabled(body);
    List<ToolSpec> tools = tools(body); // validated even when tool_choice is none

    StringBuilder system = new StringBuilder();
    List<Message> out = new MessageReader(system).read(messages);
    appendBlock(system, ResponseFormats.instruction(body.getValue("response_format")));
    if (out.isEmpty()) throw bad("messages: at least one user, assistant or tool message is required");
    boolean thinking = effort != null && !effort.equals("none");
    Conversation conversation = new Conversation(model, ModelMapper.toQModel(model), system.toString(), out,
        toolsOff ? List.of() : tools, thinking, thinking ? EFFORT_BUDGET.getOrDefault(effort, 0) : 0);
    return new ChatRequest(conversation, stream, includeUsage, maxTokens, stop);
  }

  // ---------------------------------------------------------------- sampling and output parameters

  private static void checkN(Object n) {
    if (n == null) return;
    if (!isInteger(n)) throw bad("n: must be an integer");
    long v = ((Number) n).longValue();
    if (v < 1) throw bad("n: must be at least 1");
    if (v > 1) throw bad("n: only n=1 is supported; Amazon Q returns one answer per request");
  }

  private static boolean includeUsage(Object options) {
    if (options == null) return false;
    if (!(options instanceof JsonObject o)) throw bad("stream_options: must be an object");
    return optBoolean(o, "include_usage", "stream_options.include_usage");
  }

  /** The stricter of {@code max_completion_tokens} and the deprecated {@code max_tokens}; 0 = none. */
  private static int maxTokens(JsonObject body) {
    int limit = 0;
    for (String field : List.of("max_completion_tokens", "max_tokens")) {
      Object v = body.getValue(field);
      if (v == null) continue;
      if (!isInteger(v) || ((Number) v).longValue() < 1) throw bad(field + ": must be a positive integer");
      int n = (int) Math.min(Integer.MAX_VALUE, ((Number) v).longValue());
      limit = limit == 0 ? n : Math.min(limit, n);
    }
    return limit;
  }

  private static List<String> stops(Object stop) {
    if (stop == null) return List.of();
    if (stop instanceof String s) return s.isEmpty() ? List.of() : List.of(s);
    if (!(stop instanceof JsonArray items)) throw bad("stop: must be a string or an array of strings");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof String s)) throw bad("stop[" + i + "]: must be a string");
      if (!s.isEmpty()) out.add(s);
    }
    return out;
  }

  /** {@code reasoning_effort}, or the {@code reasoning.effort} some clients send instead; null when absent. */
  private static String reasoningEffort(JsonObject body) {
    Object effort = body.getValue("reasoning_effort");
    String path = "reasoning_effort";
    if (effort == null && body.getValue("reasoning") instanceof JsonObject r) {
      effort = r.getValue("effort");
      path = "reasoning.effort";
    }
    if (effort == null) return null;
    if (!(effort instanceof String s)) throw bad(path + ": must be a string");
    return s.toLowerCase(Locale.ROOT);
  }

  /** {@code tool_choice: "none"} (or legacy {@code function_call: "none"}): the model is not offered tools. */
  private static boolean toolsDisabled(JsonObject body) {
    Object choice = body.getValue("tool_choice");
    if (choice instanceof String s && !Set.of("none", "auto", "required").contains(s)) {
      throw bad("tool_choice: must be 'none', 'auto', 'required' or an object naming a function");
    }
    if (choice != null && !(choice instanceof String) && !(choice instanceof JsonObject)) {
      throw bad("tool_choice: must be a string or an object");
    }
    return "none".equals(choice) || "none".equals(body.getValue("function_call"));
  }

  // ---------------------------------------------------------------- tools

  /** {@code tools[].function}, the flat Cursor shape without {@code function}, and legacy {@code functions}. */
  private static List<ToolSpec> tools(JsonObject body) {
    List<ToolSpec> out = new ArrayList<>();
    Object raw = body.getValue("tools");
    if (raw != null) {
      if (!(raw instanceof JsonArray tools)) throw bad("tools: must be an array");
      for (int i = 0; i < tools.size(); i++) {
        String p = "tools[" + i + "]";
        if (!(tools.getValue(i) instanceof JsonObject t)) throw bad(p + ": must be an object");
        if (t.getValue("type") instanceof String type && !type.equals("function")) continue; // built-in tools Amazon Q cannot run
        Object fn = t.getValue("function");
        if (fn != null && !(fn instanceof JsonObject)) throw bad(p + ".function: must be an object");
        if (fn == null && !t.containsKey("name")) throw bad(p + ".function: field required");
        out.add(toolSpec(fn == null ? t : (JsonObject) fn, fn == null ? p : p + ".function"));
      }
    }
    Object legacy = body.getValue("functions");
    if (legacy != null) {
      if (!(legacy instanceof JsonArray functions)) throw bad("functions: must be an array");
      for (int i = 0; i < functions.size(); i++) {
        String p = "functions[" + i + "]";
        if (!(functions.getValue(i) instanceof JsonObject f)) throw bad(p + ": must be an object");
        out.add(toolSpec(f, p));
      }
    }
    return out;
  }

  private static ToolSpec toolSpec(JsonObject f, String p) {
    String name = requireString(f, "name", p + ".name");
    if (name.isBlank()) throw bad(p + ".name: must not be empty");
    Object description = f.getValue("description");
    if (description != null && !(description instanceof String)) throw bad(p + ".description: must be a string");
    Object schema = f.getValue("parameters") != null ? f.getValue("parameters") : f.getValue("input_schema");
    if (schema != null && !(schema instanceof JsonObject)) throw bad(p + ".parameters: must be an object");
    return new ToolSpec(name, (String) description, schema == null ? new JsonObject().put("type", "object") : (JsonObject) schema);
  }

  // ---------------------------------------------------------------- messages

  /** Reads the message list; system text goes to the shared builder, legacy call ids are tracked per name. */
  private static final class MessageReader {
    private final StringBuilder system;
    private final Map<String, String> legacyCallIds = new HashMap<>();

    MessageReader(StringBuilder system) {
      this.system = system;
    }

    List<Message> read(JsonArray messages) {
      List<Message> out = new ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        String p = "messages[" + i + "]";
        if (!(messages.getValue(i) instanceof JsonObject m)) throw bad(p + ": must be an object");
        String role = requireString(m, "role", p + ".role");
        switch (role) {
          // mid-conversation system/developer instructions fold into the system prompt, as on the Claude path
          case "system", "developer" -> RequestFields.appendLine(system, text(m.getValue("content"), p + ".content"));
          case "user" -> out.add(user(m, p));
          case "assistant" -> out.add(assistant(m, p, i));
          case "tool" -> out.add(toolResult(requireString(m, "tool_call_id", p + ".tool_call_id"), m, p));
          case "function" -> out.add(toolResult(legacyResultId(m, p, i), m, p));
          default -> throw bad(p + ".role: must be one of system, developer, user, assistant, tool");
        }
      }
      return out;
    }

    private UserMessage user(JsonObject m, String p) {
      Object content = m.getValue("content");
      if (content == null) throw bad(p + ".content: field required");
      if (content instanceof String s) return UserMessage.text(s);
      if (!(content instanceof JsonArray parts)) throw bad(p + ".content: must be a string or an array of content parts");
      StringBuilder text = new StringBuilder();
      List<Image> images = new ArrayList<>();
      for (int j = 0; j < parts.size(); j++) {
        String pp = p + ".content[" + j + "]";
        JsonObject part = part(parts.getValue(j), pp);
        switch (partType(part, pp)) {
          case "text" -> RequestFields.appendLine(text, requireString(part, "text", pp + ".text"));
          case "image_url" -> images.add(DataUrlImages.fromDataUrl(part.getValue("image_url"), pp + ".image_url"));
          default -> throw bad(pp + ".type: '" + part.getValue("type") + "' is not supported; Amazon Q accepts text and image_url parts");
        }
      }
      return new UserMessage(text.toString(), List.of(), images);
    }

    private AssistantMessage assistant(JsonObject m, String p, int index) {
      StringBuilder text = new StringBuilder();
      if (m.getValue("reasoning_content") instanceof String r && !r.isEmpty()) {
        // replayed reasoning keeps Amazon Q's own convention, like Claude thinking blocks
        text.append("<thinking>").append(r).append("</thinking>");
      }
      RequestFields.appendLine(text, assistantText(m.getValue("content"), p + ".content"));
      List<ToolCall> calls = new ArrayList<>();
      Object toolCalls = m.getValue("tool_calls");
      if (toolCalls != null) {
        if (!(toolCalls instanceof JsonArray arr)) throw bad(p + ".tool_calls: must be an array");
        for (int j = 0; j < arr.size(); j++) calls.add(toolCall(arr.getValue(j), p + ".tool_calls[" + j + "]"));
      }
      Object functionCall = m.getValue("function_call");
      if (functionCall != null) {
        if (!(functionCall instanceof JsonObject fc)) throw bad(p + ".function_call: must be an object");
        String name = requireString(fc, "name", p + ".function_call.name");
        // legacy calls have no id: make one the following {role:function} message can be matched to
        String id = "call_legacy_" + index;
        legacyCallIds.put(name, id);
        calls.add(new ToolCall(id, name, arguments(fc.getValue("arguments"), p + ".function_call.arguments")));
      }
      return new AssistantMessage(text.toString(), calls);
    }

    private String legacyResultId(JsonObject m, String p, int index) {
      String name = requireString(m, "name", p + ".name");
      String id = legacyCallIds.remove(name);
      return id != null ? id : "call_legacy_unmatched_" + index;
    }

    private static ToolCall toolCall(Object raw, String p) {
      if (!(raw instanceof JsonObject call)) throw bad(p + ": must be an object");
      String id = requireString(call, "id", p + ".id");
      if (call.getValue("type") != null && !"function".equals(call.getValue("type"))) {
        throw bad(p + ".type: only 'function' tool calls are supported");
      }
      if (!(call.getValue("function") instanceof JsonObject fn)) throw bad(p + ".function: field required and must be an object");
      String name = requireString(fn, "name", p + ".function.name");
      return new ToolCall(id, name, arguments(fn.getValue("arguments"), p + ".function.arguments"));
    }

    private static UserMessage toolResult(String id, JsonObject m, String p) {
      String content = text(m.getValue("content"), p + ".content");
      return new UserMessage("", List.of(new ToolResult(id, List.of(content), false)), List.of());
    }
  }

  /** Tool-call arguments: a JSON object encoded as a string (OpenAI), an object (lenient), or empty for none. */
  static JsonObject arguments(Object raw, String p) {
    if (raw == null) return new JsonObject();
    if (raw instanceof JsonObject o) return o;
    if (!(raw instanceof String s)) throw bad(p + ": must be a string holding a JSON object");
    if (s.isBlank()) return new JsonObject();
    Object parsed;
    try {
      parsed = Json.decodeValue(s);
    } catch (DecodeException e) {
      throw bad(p + ": is not valid JSON (" + firstLine(e.getMessage()) + ")");
    }
    if (parsed == null) return new JsonObject(); // "null" from clients that serialise an absent argument object
    if (!(parsed instanceof JsonObject o)) throw bad(p + ": must be a JSON object, got a JSON " + jsonKind(parsed));
    return o;
  }

  private static String jsonKind(Object v) {
    if (v instanceof JsonArray) return "array";
    if (v instanceof String) return "string";
    if (v instanceof Number) return "number";
    if (v instanceof Boolean) return "boolean";
    return "value";
  }

  /** Text of a string or of an array of text parts (system, developer and tool messages); null is empty. */
  private static String text(Object content, String p) {
    if (content == null) return "";
    if (content instanceof String s) return s;
    if (!(content instanceof JsonArray parts)) throw bad(p + ": must be a string or an array of text parts");
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < parts.size(); j++) {
      String pp = p + "[" + j + "]";
      JsonObject part = part(parts.getValue(j), pp);
      if (!"text".equals(partType(part, pp))) throw bad(pp + ".type: only text parts are allowed here");
      RequestFields.appendLine(sb, requireString(part, "text", pp + ".text"));
    }
    return sb.toString();
  }

  /** Assistant content: string, null, or text/refusal parts. */
  private static String assistantText(Object content, String p) {
    if (content == null) return "";
    if (content instanceof String s) return s;
    if (!(content instanceof JsonArray parts)) throw bad(p + ": must be a string or an array of content parts");
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < parts.size(); j++) {
      String pp = p + "[" + j + "]";
      JsonObject part = part(parts.getValue(j), pp);
      switch (partType(part, pp)) {
        case "text" -> RequestFields.appendLine(sb, requireString(part, "text", pp + ".text"));
        case "refusal" -> RequestFields.appendLine(sb, requireString(part, "refusal", pp + ".refusal"));
        default -> throw bad(pp + ".type: must be 'text' or 'refusal' in an assistant message");
      }
    }
    return sb.toString();
  }

  private static JsonObject part(Object raw, String p) {
    if (!(raw instanceof JsonObject o)) throw bad(p + ": must be a content part object");
    return o;
  }

  private static String partType(JsonObject part, String p) {
    return requireString(part, "type", p + ".type");
  }

  // ---------------------------------------------------------------- helpers

  private static boolean isInteger(Object v) {
    return v instanceof Number n && n.doubleValue() == Math.floor(n.doubleValue()) && !Double.isInfinite(n.doubleValue());
  }

  private static boolean optBoolean(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) return false;
    if (!(v instanceof Boolean b)) throw bad(path + ": must be a boolean");
    return b;
  }

  static String requireString(JsonObject o, String key, String path) {
    return RequestFields.requireString(o, key, path);
  }

  private static void appendBlock(StringBuilder sb, String s) {
    if (s.isEmpty()) return;
    if (sb.length() > 0) sb.append("\n\n");
    sb.append(s);
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }

  static GatewayException bad(String message) {
    return GatewayException.badRequest(message);
  }
}
