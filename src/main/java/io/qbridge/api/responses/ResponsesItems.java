package io.qbridge.api.responses;

import static io.qbridge.api.responses.ResponsesRequestParser.bad;

import io.qbridge.convert.DataUrlImages;
import io.qbridge.convert.RequestFields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Validates the {@code input} of a Responses request and normalises it into the item shapes this
 * package reads back (from the request or from the store): a string input becomes one user
 * message; message content becomes an array of parts; {@code input_file} text is decoded;
 * function-call outputs become strings. Items of hosted tools (web search calls, …) are dropped:
 * Amazon Q never made them. Paths in errors follow OpenAI ({@code input[2].content[0].text}).
 */
final class ResponsesItems {

  private static final Set<String> ROLES = Set.of("user", "assistant", "system", "developer");
  private static final Set<String> TEXT_PARTS = Set.of("input_text", "output_text", "text", "summary_text");

  private ResponsesItems() {}

  static JsonArray normalise(Object input) {
    if (input == null) throw bad("input: field required");
    if (input instanceof String s) {
      return new JsonArray().add(message("user", new JsonArray().add(textPart("input_text", s))));
    }
    if (!(input instanceof JsonArray items)) throw bad("input: must be a string or an array of input items");
    JsonArray out = new JsonArray();
    for (int i = 0; i < items.size(); i++) {
      String p = "input[" + i + "]";
      if (!(items.getValue(i) instanceof JsonObject item)) throw bad(p + ": must be an object");
      JsonObject n = item(item, p);
      if (n != null) out.add(n);
    }
    return out;
  }

  private static JsonObject item(JsonObject item, String p) {
    Object type = item.getValue("type");
    if (type == null && item.containsKey("role")) type = "message"; // the "easy" message shape
    if (!(type instanceof String t)) throw bad(p + ".type: field required");
    return switch (t) {
      case "message" -> messageItem(item, p);
      case "function_call" -> new JsonObject().put("type", "function_call")
          .put("call_id", nonEmpty(item, "call_id", p))
          .put("name", nonEmpty(item, "name", p))
          .put("arguments", arguments(item.getValue("arguments"), p + ".arguments"))
          .put("namespace", ResponsesRequestParser.optString(item, "namespace", p + ".namespace"));
      case "function_call_output" -> new JsonObject().put("type", "function_call_output")
          .put("call_id", nonEmpty(item, "call_id", p))
          .put("output", output(item.getValue("output"), p + ".output"));
      case "reasoning" -> reasoning(item, p);
      case "item_reference" -> throw bad(p + ".type: item references are not supported; send the items or use previous_response_id");
      default -> null; // hosted tool calls and their outputs: nothing Amazon Q can use
    };
  }

  private static JsonObject messageItem(JsonObject item, String p) {
    String role = RequestFields.requireString(item, "role", p + ".role");
    if (!ROLES.contains(role)) throw bad(p + ".role: must be one of user, assistant, system, developer");
    Object content = item.getValue("content");
    if (content == null) throw bad(p + ".content: field required");
    String textType = role.equals("assistant") ? "output_text" : "input_text";
    if (content instanceof String s) return message(role, new JsonArray().add(textPart(textType, s)));
    if (!(content instanceof JsonArray parts)) throw bad(p + ".content: must be a string or an array of content parts");
    JsonArray out = new JsonArray();
    for (int j = 0; j < parts.size(); j++) {
      String pp = p + ".content[" + j + "]";
      if (!(parts.getValue(j) instanceof JsonObject part)) throw bad(pp + ": must be an object");
      String type = RequestFields.requireString(part, "type", pp + ".type");
      if (TEXT_PARTS.contains(type)) {
        out.add(textPart(textType, RequestFields.requireString(part, "text", pp + ".text")));
      } else if (type.equals("refusal")) {
        out.add(textPart(textType, RequestFields.requireString(part, "refusal", pp + ".refusal")));
      } else if (type.equals("input_image") && role.equals("user")) {
        if (part.getValue("image_url") == null && part.getValue("file_id") != null) {
          throw bad(pp + ".file_id: uploaded files are not supported; send the image inline as a data URL in image_url");
        }
        var image = DataUrlImages.fromDataUrl(part.getValue("image_url"), pp + ".image_url");
        out.add(new JsonObject().put("type", "input_image").put("format", image.format()).put("data", image.base64()));
      } else if (type.equals("input_file") && role.equals("user")) {
        out.add(textPart("input_text", fileText(part, pp)));
      } else {
        throw bad(pp + ".type: '" + type + "' is not supported in a " + role + " message");
      }
    }
    return message(role, out);
  }

  /** An {@code input_file} with inline text data becomes text the model reads. */
  private static String fileText(JsonObject part, String p) {
    String name = part.getValue("filename") instanceof String n ? n : "file";
    if (!(part.getValue("file_data") instanceof String data)) {
      throw bad(p + ".file_data: only inline files (file_data) are supported; file_id and file_url cannot be fetched");
    }
    String encoded = data;
    String mime = "text/plain";
    if (data.regionMatches(true, 0, "data:", 0, 5)) {
      int comma = data.indexOf(',');
      if (comma < 0) throw bad(p + ".file_data: malformed data URL");
      String header = data.substring(5, comma).toLowerCase(Locale.ROOT);
      mime = header.split(";")[0];
      encoded = data.substring(comma + 1);
    }
    if (!(mime.isEmpty() || mime.startsWith("text/") || mime.endsWith("json") || mime.endsWith("xml") || mime.endsWith("yaml"))) {
      throw bad(p + ".file_data: '" + mime + "' files are not supported; Amazon Q reads text files only");
    }
    String text;
    try {
      text = new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw bad(p + ".file_data: is not valid base64");
    }
    return "[File: " + name + "]\n" + text;
  }

  private static JsonObject reasoning(JsonObject item, String p) {
    JsonArray summary = new JsonArray();
    Object raw = item.getValue("summary");
    if (raw != null) {
      if (!(raw instanceof JsonArray parts)) throw bad(p + ".summary: must be an array");
      for (int j = 0; j < parts.size(); j++) {
        if (!(parts.getValue(j) instanceof JsonObject part)) throw bad(p + ".summary[" + j + "]: must be an object");
        summary.add(textPart("summary_text", RequestFields.requireString(part, "text", p + ".summary[" + j + "].text")));
      }
    }
    return new JsonObject().put("type", "reasoning").put("summary", summary)
        .put("encrypted_content", ResponsesRequestParser.optString(item, "encrypted_content", p + ".encrypted_content"));
  }

  /** Tool output: a string, or text parts joined (images in outputs are dropped). */
  private static String output(Object raw, String p) {
    if (raw == null) return "";
    if (raw instanceof String s) return s;
    if (!(raw instanceof JsonArray parts)) throw bad(p + ": must be a string or an array of content parts");
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < parts.size(); j++) {
      if (!(parts.getValue(j) instanceof JsonObject part)) throw bad(p + "[" + j + "]: must be an object");
      if (part.getValue("text") instanceof String s) RequestFields.appendLine(sb, s);
    }
    return sb.toString();
  }

  /** Arguments stay a JSON string (as OpenAI sends them); it must hold an object. */
  private static String arguments(Object raw, String p) {
    if (raw == null) return "{}";
    if (raw instanceof JsonObject o) return o.encode();
    if (!(raw instanceof String s)) throw bad(p + ": must be a string holding a JSON object");
    ResponsesConversation.argumentsObject(s, p);
    return s;
  }

  private static String nonEmpty(JsonObject o, String key, String p) {
    String s = RequestFields.requireString(o, key, p + "." + key);
    if (s.isEmpty()) throw bad(p + "." + key + ": must not be empty");
    return s;
  }

  private static JsonObject message(String role, JsonArray content) {
    return new JsonObject().put("type", "message").put("role", role).put("content", content);
  }

  private static JsonObject textPart(String type, String text) {
    return new JsonObject().put("type", type).put("text", text);
  }
}
