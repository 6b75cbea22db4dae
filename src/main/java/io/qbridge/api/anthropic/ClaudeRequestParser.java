package io.qbridge.api.anthropic;

import io.qbridge.convert.Conversation;
import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Image;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.convert.ModelMapper;
import io.qbridge.convert.RequestFields;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses and validates an Anthropic Messages request body into a {@link Conversation}. Every
 * rejection is a 400 whose message names the offending field ({@code messages.2.content.0.type}),
 * like Anthropic's own errors. Unknown top-level fields are accepted and ignored.
 */
public final class ClaudeRequestParser {

  private ClaudeRequestParser() {}

  public static Conversation parse(JsonObject body) {
    String model = requireString(body, "model");
    Object rawMessages = body.getValue("messages");
    if (!(rawMessages instanceof JsonArray messages)) throw bad("messages: field required and must be an array");
    if (messages.isEmpty()) throw bad("messages: at least one message is required");
    Object maxTokens = body.getValue("max_tokens");
    if (maxTokens != null && (!(maxTokens instanceof Number n) || n.doubleValue() < 1 || n.doubleValue() != Math.floor(n.doubleValue()))) {
      throw bad("max_tokens: must be a positive integer");
    }
    Object stream = body.getValue("stream");
    if (stream != null && !(stream instanceof Boolean)) throw bad("stream: must be a boolean");
    stopSequences(body);

    StringBuilder system = new StringBuilder(systemText(body.getValue("system")));
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String path = "messages." + i;
      if (!(messages.getValue(i) instanceof JsonObject m)) throw bad(path + ": must be an object");
      Object role = m.getValue("role");
      if ("system".equals(role)) {
        // mid-conversation system instructions (Claude Code) fold into the system prompt
        RequestFields.appendLine(system, textOf(m.getValue("content"), path + ".content"));
        continue;
      }
      if ("user".equals(role)) {
        out.add(user(m.getValue("content"), path + ".content"));
      } else if ("assistant".equals(role)) {
        out.add(assistant(m.getValue("content"), path + ".content"));
      } else {
        throw bad(path + ".role: must be 'user' or 'assistant'");
      }
    }
    if (out.isEmpty()) throw bad("messages: at least one user or assistant message is required");
    Object thinking = body.getValue("thinking");
    return new Conversation(model, ModelMapper.toQModel(model), system.toString(), out, tools(body.getValue("tools")),
        thinkingRequested(thinking), thinkingBudget(thinking));
  }

  /** {@code stop_sequences}: absent → none; otherwise an array of strings (400 naming the entry). */
  public static List<String> stopSequences(JsonObject body) {
    Object raw = body.getValue("stop_sequences");
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray arr)) throw bad("stop_sequences: must be an array of strings");
    List<String> out = new ArrayList<>();
    for (int i = 0; i < arr.size(); i++) {
      if (!(arr.getValue(i) instanceof String s)) throw bad("stop_sequences." + i + ": must be a string");
      out.add(s);
    }
    return out;
  }

  /** Thinking is on for {@code true}, {@code "enabled"}, {@code {type: enabled|adaptive}}, {@code {enabled:true}} or a positive budget (§6.6). */
  static boolean thinkingRequested(Object t) {
    if (t == null) return false;
    if (t instanceof Boolean b) return b;
    if (t instanceof String s) return s.equalsIgnoreCase("enabled") || s.equalsIgnoreCase("adaptive");
    if (t instanceof JsonObject o) {
      String type = o.getValue("type") instanceof String s ? s : "";
      if (type.equals("enabled") || type.equals("adaptive")) return true;
      if (Boolean.TRUE.equals(o.getValue("enabled"))) return true;
      return o.getValue("budget_tokens") instanceof Number n && n.doubleValue() > 0;
    }
    return false;
  }

  /** {@code budget_tokens} when given, else 0 (the builder's default length). */
  static int thinkingBudget(Object t) {
    if (t instanceof JsonObject o && o.getValue("budget_tokens") instanceof Number n && n.intValue() > 0) return n.intValue();
    return 0;
  }

  private static String systemText(Object system) {
    if (system == null) return "";
    if (system instanceof String s) return s;
    if (system instanceof JsonArray blocks) return textOf(blocks, "system");
    throw bad("system: must be a string or an array of text blocks");
  }

  /** Text of a string or of the text blocks of a block array, joined by newlines. */
  private static String textOf(Object content, String path) {
    if (content == null) return "";
    if (content instanceof String s) return s;
    if (!(content instanceof JsonArray blocks)) throw bad(path + ": must be a string or an array of content blocks");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < blocks.size(); i++) {
      Object b = blocks.getValue(i);
      if (b instanceof String s) {
        RequestFields.appendLine(sb, s);
      } else if (b instanceof JsonObject o && "text".equals(o.getValue("type"))) {
        RequestFields.appendLine(sb, RequestFields.requireString(o, "text", path + "." + i + ".text"));
      } else if (!(b instanceof JsonObject)) {
        throw bad(path + "." + i + ": must be a content block object");
      }
    }
    return sb.toString();
  }

  private static UserMessage user(Object content, String path) {
    if (content instanceof String s) return UserMessage.text(s);
    if (!(content instanceof JsonArray blocks)) throw bad(path + ": must be a string or an array of content blocks");
    StringBuilder text = new StringBuilder();
    List<ToolResult> results = new ArrayList<>();
    List<Image> images = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String p = path + "." + i;
      JsonObject b = block(blocks.getValue(i), p);
      switch (blockType(b, p)) {
        case "text", "thinking" -> RequestFields.appendLine(text, textOrThinking(b, p));
        case "redacted_thinking" -> { }
        case "tool_result" -> results.add(toolResult(b, p));
        case "image" -> images.add(image(b, p));
        case "document", "search_result" -> RequestFields.appendLine(text, textOf(b.getValue("content"), p + ".content"));
        default -> { } // unknown block types (e.g. server tool results) carry nothing Amazon Q can use
      }
    }
    return new UserMessage(text.toString(), results, images);
  }

  private static AssistantMessage assistant(Object content, String path) {
    if (content instanceof String s) return AssistantMessage.text(s);
    if (!(content instanceof JsonArray blocks)) throw bad(path + ": must be a string or an array of content blocks");
    StringBuilder text = new StringBuilder();
    List<ToolCall> calls = new ArrayList<>();
    for (int i = 0; i < blocks.size(); i++) {
      String p = path + "." + i;
      JsonObject b = block(blocks.getValue(i), p);
      switch (blockType(b, p)) {
        case "text", "thinking" -> RequestFields.appendLine(text, textOrThinking(b, p));
        case "tool_use" -> {
          Object input = b.getValue("input");
          if (input != null && !(input instanceof JsonObject)) throw bad(p + ".input: must be an object");
          calls.add(new ToolCall(RequestFields.requireString(b, "id", p + ".id"), RequestFields.requireString(b, "name", p + ".name"),
              input == null ? new JsonObject() : (JsonObject) input));
        }
        default -> { }
      }
    }
    return new AssistantMessage(text.toString(), calls);
  }

  /** A text block's text, or a thinking block (sent back by the client) as Amazon Q's {@code <thinking>} text. */
  private static String textOrThinking(JsonObject b, String p) {
    if ("text".equals(b.getValue("type"))) return RequestFields.requireString(b, "text", p + ".text");
    Object thinking = b.getValue("thinking");
    if (thinking != null && !(thinking instanceof String)) throw bad(p + ".thinking: must be a string");
    return "<thinking>" + (thinking == null ? "" : thinking) + "</thinking>";
  }

  private static ToolResult toolResult(JsonObject b, String p) {
    String id = RequestFields.requireString(b, "tool_use_id", p + ".tool_use_id");
    List<String> content = new ArrayList<>();
    Object c = b.getValue("content");
    if (c instanceof String s) {
      content.add(s);
    } else if (c instanceof JsonArray items) {
      for (Object item : items) {
        if (item instanceof String s) content.add(s);
        else if (item instanceof JsonObject o && o.getValue("text") instanceof String s) content.add(s);
      }
    } else if (c != null) {
      throw bad(p + ".content: must be a string or an array of content blocks");
    }
    boolean error = Boolean.TRUE.equals(b.getValue("is_error")) || "error".equals(b.getValue("status"));
    return new ToolResult(id, content, error);
  }

  private static Image image(JsonObject b, String p) {
    if (!(b.getValue("source") instanceof JsonObject source)) throw bad(p + ".source: field required");
    if (!"base64".equals(source.getValue("type"))) {
      throw bad(p + ".source.type: only base64 images are supported (Amazon Q cannot fetch URLs)");
    }
    String mediaType = RequestFields.requireString(source, "media_type", p + ".source.media_type");
    String format = mediaType.substring(mediaType.indexOf('/') + 1);
    if (!List.of("png", "jpeg", "gif", "webp").contains(format)) {
      throw bad(p + ".source.media_type: must be image/png, image/jpeg, image/gif or image/webp");
    }
    return new Image(format, RequestFields.requireString(source, "data", p + ".source.data"));
  }

  private static List<ToolSpec> tools(Object raw) {
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray tools)) throw bad("tools: must be an array");
    List<ToolSpec> out = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      String p = "tools." + i;
      if (!(tools.getValue(i) instanceof JsonObject t)) throw bad(p + ": must be an object");
      if (t.getValue("type") instanceof String type && !type.equals("custom")) continue; // server tools Amazon Q cannot run
      Object schema = t.getValue("input_schema");
      if (schema != null && !(schema instanceof JsonObject)) throw bad(p + ".input_schema: must be an object");
      Object description = t.getValue("description");
      if (description != null && !(description instanceof String)) throw bad(p + ".description: must be a string");
      out.add(new ToolSpec(RequestFields.requireString(t, "name", p + ".name"), description == null ? "" : (String) description,
          schema == null ? new JsonObject().put("type", "object") : (JsonObject) schema));
    }
    return out;
  }

  private static JsonObject block(Object b, String p) {
    if (!(b instanceof JsonObject o)) throw bad(p + ": must be a content block object");
    return o;
  }

  private static String blockType(JsonObject b, String p) {
    if (!(b.getValue("type") instanceof String t)) throw bad(p + ".type: field required");
    return t;
  }

  private static String requireString(JsonObject o, String key) {
    return RequestFields.requireString(o, key, key);
  }

  private static String requireString(JsonObject o, String key, String path) {
    return RequestFields.requireString(o, key, path);
  }

  private static GatewayException bad(String message) {
    return GatewayException.badRequest(message);
  }
}
