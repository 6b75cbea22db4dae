package io.qbridge.api.openai;

import static io.qbridge.api.openai.ChatRequestParser.bad;

import io.qbridge.convert.JsonOutputInstructions;
import io.vertx.core.json.JsonObject;

/** {@code response_format} → the system-prompt instruction of {@link JsonOutputInstructions}. */
final class ResponseFormats {

  private ResponseFormats() {}

  /** The system-prompt instruction for a {@code response_format} value; empty for text or none. */
  static String instruction(Object format) {
    if (format == null) return "";
    if (!(format instanceof JsonObject f)) throw bad("response_format: must be an object");
    Object type = f.getValue("type");
    if (type == null || "text".equals(type)) return "";
    if ("json_object".equals(type)) return JsonOutputInstructions.JSON_OBJECT;
    if (!"json_schema".equals(type)) throw bad("response_format.type: must be 'text', 'json_object' or 'json_schema'");
    if (!(f.getValue("json_schema") instanceof JsonObject js)) throw bad("response_format.json_schema: field required and must be an object");
    Object schema = js.getValue("schema");
    if (schema != null && !(schema instanceof JsonObject)) throw bad("response_format.json_schema.schema: must be an object");
    return JsonOutputInstructions.forSchema(js.getValue("name") instanceof String n ? n : null, (JsonObject) schema);
  }
}
