package io.qbridge.api.responses;

import static io.qbridge.api.responses.ResponsesRequestParser.bad;

import io.qbridge.convert.Conversation;
import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Image;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.UserMessage;
import io.qbridge.convert.ModelMapper;
import io.qbridge.convert.RequestFields;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Normalised Responses items (stored ones first, then the request's) → the shared
 * {@link Conversation}. {@code instructions}, {@code system}/{@code developer} messages and the
 * {@code text.format} instruction form the system prompt, which the builder places by the one
 * rule of all front ends; function calls and their outputs become tool calls and tool results;
 * reasoning sent back is replayed as Amazon Q's {@code <thinking>} text before the assistant turn
 * it belongs to. Same-role runs are merged by the builder.
 */
final class ResponsesConversation {

  /** Prefix of our {@code encrypted_content}: the thinking text, base64, readable back by us only by convention. */
  static final String ENCRYPTED_PREFIX = "qbridge.v1.";

  private ResponsesConversation() {}

  static Conversation build(ResponsesRequest r, JsonArray prior) {
    StringBuilder system = new StringBuilder(r.instructions() == null ? "" : r.instructions());
    List<Message> messages = new ArrayList<>();
    read(prior, system, messages, r.namespaces());
    read(r.input(), system, messages, r.namespaces());
    if (!r.formatInstruction().isEmpty()) {
      if (system.length() > 0) system.append("\n\n");
      system.append(r.formatInstruction());
    }
    if (messages.isEmpty()) throw bad("input: at least one user, assistant or tool item is required");
    return new Conversation(r.model(), ModelMapper.toQModel(r.model()), system.toString(), messages, r.tools(),
        r.thinking(), r.thinkingBudget());
  }

  private static void read(JsonArray items, StringBuilder system, List<Message> out, Namespaces namespaces) {
    for (Object o : items) {
      JsonObject item = (JsonObject) o;
      switch (item.getString("type")) {
        case "message" -> message(item, system, out);
        case "function_call" -> {
          String name = item.getString("name");
          if (item.getValue("namespace") instanceof String ns && !ns.isEmpty()) name = Namespaces.flatName(ns, name);
          out.add(new AssistantMessage("", List.of(new ToolCall(item.getString("call_id"), name,
              argumentsObject(item.getString("arguments"), "arguments")))));
        }
        case "function_call_output" -> out.add(new UserMessage("", List.of(
            new ToolResult(item.getString("call_id"), List.of(item.getString("output")), false)), List.of()));
        case "reasoning" -> {
          String thinking = thinkingOf(item);
          if (!thinking.isEmpty()) out.add(AssistantMessage.text("<thinking>" + thinking + "</thinking>"));
        }
        default -> { }
      }
    }
  }

  private static void message(JsonObject item, StringBuilder system, List<Message> out) {
    String role = item.getString("role");
    StringBuilder text = new StringBuilder();
    List<Image> images = new ArrayList<>();
    for (Object o : item.getJsonArray("content")) {
      JsonObject part = (JsonObject) o;
      if ("input_image".equals(part.getString("type"))) images.add(new Image(part.getString("format"), part.getString("data")));
      else RequestFields.appendLine(text, part.getString("text", ""));
    }
    switch (role) {
      case "system", "developer" -> RequestFields.appendLine(system, text.toString());
      case "assistant" -> out.add(AssistantMessage.text(text.toString()));
      default -> out.add(new UserMessage(text.toString(), List.of(), images));
    }
  }

  /** Our own encrypted_content when present (the full thinking), else the summary text. */
  static String thinkingOf(JsonObject reasoning) {
    if (reasoning.getValue("encrypted_content") instanceof String enc && enc.startsWith(ENCRYPTED_PREFIX)) {
      try {
        return new String(Base64.getDecoder().decode(enc.substring(ENCRYPTED_PREFIX.length())), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        // not ours after all: fall back to the summary
      }
    }
    StringBuilder sb = new StringBuilder();
    for (Object o : reasoning.getJsonArray("summary", new JsonArray())) RequestFields.appendLine(sb, ((JsonObject) o).getString("text", ""));
    return sb.toString();
  }

  static String encrypt(String thinking) {
    return ENCRYPTED_PREFIX + Base64.getEncoder().encodeToString(thinking.getBytes(StandardCharsets.UTF_8));
  }

  /** Function-call arguments: a JSON object in a string; blank or "null" is an empty object. */
  static JsonObject argumentsObject(String s, String p) {
    if (s == null || s.isBlank()) return new JsonObject();
    Object parsed;
    try {
      parsed = Json.decodeValue(s);
    } catch (DecodeException e) {
      throw bad(p + ": is not valid JSON");
    }
    if (parsed == null) return new JsonObject();
    if (!(parsed instanceof JsonObject o)) throw bad(p + ": must be a JSON object");
    return o;
  }
}
