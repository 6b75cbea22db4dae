package io.qbridge.api.openai;

import static io.qbridge.api.openai.ChatRequestParser.bad;

import io.vertx.core.json.JsonObject;

/**
 * {@code response_format}: Amazon Q has no structured-output mode, so JSON formats become an
 * instruction appended to the system prompt. Best effort: the model is asked, not forced, and the
 * output is not validated.
 */
final class ResponseFormats {

  static final String JSON_OBJECT = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

  private ResponseFormats() {}

  /** The system-prompt instruction for a {@code response_format} value; empty for text or none. */
  static String instruction(Object format) {
    if (format == null) return "";
    if (!(format instanceof JsonObject f)) throw bad("response_format: must be an object");
    Object type = f.getValue("type");
    if (type == null || "text".equals(type)) return "";
    if ("json_object".equals(type)) return JSON_OBJECT;
    if (!"json_schema".equals(type)) throw bad("response_format.type: must be 'text', 'json_object' or 'json_schema'");
    if (!(f.getValue("json_schema") instanceof JsonObject js)) throw bad("response_format.json_schema: field required and must be an object");
    Object schema = js.getValue("schema");
    if (schema != null && !(schema instanceof JsonObject)) throw bad("response_format.json_schema.schema: must be an object");
    String name = js.getValue("name") instanceof String n ? " \"" + n + "\"" : "";
    return "Respond with JSON only, no prose and no code fences, conforming to this JSON schema" + name + ":\n"
        + (schema == null ? "{}" : ((JsonObject) schema).encode());
  }
}
