package io.qbridge.convert;

import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonObject;

/**
 * Small helpers both API parsers use to read client JSON: every rejection is a 400 whose message
 * starts with the field's path, the way the Anthropic and OpenAI APIs word theirs.
 */
public final class RequestFields {

  private RequestFields() {}

  /** The string at {@code key}; 400 "{path}: field required" or "{path}: must be a string". */
  public static String requireString(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) throw GatewayException.badRequest(path + ": field required");
    if (!(v instanceof String s)) throw GatewayException.badRequest(path + ": must be a string");
    return s;
  }

  /** Appends {@code s} on a new line; empty strings add nothing. */
  public static void appendLine(StringBuilder sb, String s) {
    if (s.isEmpty()) return;
    if (sb.length() > 0) sb.append('\n');
    sb.append(s);
  }
}
