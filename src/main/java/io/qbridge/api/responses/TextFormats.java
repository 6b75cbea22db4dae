package io.qbridge.api.responses;

import static io.qbridge.api.responses.ResponsesRequestParser.bad;

import io.vertx.core.json.JsonObject;

/**
 * {@code text.format}: Amazon Q has no structured-output mode, so JSON formats become an
 * instruction appended to the system prompt (best effort, as on the Chat Completions path).
 */
final class TextFormats {

  static final String JSON_OBJECT = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

  private TextFormats() {}

  static String instruction(Object text) {
    if (text == null) return "";
    if (!(text instanceof JsonObject t)) throw bad("text: must be an object");
    Object format = t.getValue("format");
    if (format == null) return "";
    if (!(format instanceof JsonObject f)) throw bad("text.format: must be an object");
    Object type = f.getValue("type");
    if (type == null || "text".equals(type)) return "";
    if ("json_object".equals(type)) return JSON_OBJECT;
    if (!"json_schema".equals(type)) throw bad("text.format.type: must be 'text', 'json_object' or 'json_schema'");
    Object schema = f.getValue("schema");
    if (!(schema instanceof JsonObject s)) throw bad("text.format.schema: field required and must be an object");
    String name = f.getValue("name") instanceof String n ? " \"" + n + "\"" : "";
    return "Respond with JSON only, no prose and no code fences, conforming to this JSON schema" + name + ":\n" + s.encode();
  }
}
