package io.qbridge.api.responses;

import static io.qbridge.api.responses.ResponsesRequestParser.bad;

import io.qbridge.convert.JsonOutputInstructions;
import io.vertx.core.json.JsonObject;

/** {@code text.format} → the system-prompt instruction of {@link JsonOutputInstructions}. */
final class TextFormats {

  private TextFormats() {}

  static String instruction(Object text) {
    if (text == null) return "";
    if (!(text instanceof JsonObject t)) throw bad("text: must be an object");
    Object format = t.getValue("format");
    if (format == null) return "";
    if (!(format instanceof JsonObject f)) throw bad("text.format: must be an object");
    Object type = f.getValue("type");
    if (type == null || "text".equals(type)) return "";
    if ("json_object".equals(type)) return JsonOutputInstructions.JSON_OBJECT;
    if (!"json_schema".equals(type)) throw bad("text.format.type: must be 'text', 'json_object' or 'json_schema'");
    Object schema = f.getValue("schema");
    if (!(schema instanceof JsonObject s)) throw bad("text.format.schema: field required and must be an object");
    return JsonOutputInstructions.forSchema(f.getValue("name") instanceof String n ? n : null, s);
  }
}
