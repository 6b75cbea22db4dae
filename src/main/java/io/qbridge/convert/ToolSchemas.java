package io.qbridge.convert;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Map;

/**
 * JSON-schema hygiene for tool input schemas. Amazon Q answers "Improperly formed request." for
 * {@code $schema}, {@code required: null} or {@code []}, and {@code properties: null} or
 * {@code {}} (protocol doc §2.5); these are removed at every level. Everything else, including
 * {@code additionalProperties}, passes through. Returns a cleaned copy; the input is not touched.
 */
public final class ToolSchemas {

  private ToolSchemas() {}

  public static JsonObject clean(JsonObject schema) {
    JsonObject out = cleanObject(schema == null ? new JsonObject() : schema);
    if (!out.containsKey("type")) out.put("type", "object");
    return out;
  }

  /** Cleans one schema object; keyword rules apply here, not to the names inside a properties map. */
  private static JsonObject cleanObject(JsonObject in) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : in) {
      String key = e.getKey();
      Object v = e.getValue();
      if (key.equals("$schema")) continue;
      if (key.equals("required") && (v == null || (v instanceof JsonArray a && a.isEmpty()))) continue;
      if (key.equals("properties") || key.equals("$defs") || key.equals("definitions") || key.equals("patternProperties")) {
        if (v == null || (v instanceof JsonObject o && o.isEmpty())) continue;
        if (v instanceof JsonObject map) {
          out.put(key, cleanSchemaMap(map));
          continue;
        }
      }
      out.put(key, cleanValue(v));
    }
    return out;
  }

  /** A map from names to schemas: names are kept as they are, each schema is cleaned. */
  private static JsonObject cleanSchemaMap(JsonObject map) {
    JsonObject out = new JsonObject();
    for (Map.Entry<String, Object> e : map) out.put(e.getKey(), cleanValue(e.getValue()));
    return out;
  }

  private static Object cleanValue(Object v) {
    if (v instanceof JsonObject o) return cleanObject(o);
    if (v instanceof JsonArray a) {
      var list = new ArrayList<>();
      for (Object item : a) list.add(cleanValue(item));
      return new JsonArray(list);
    }
    return v;
  }
}
