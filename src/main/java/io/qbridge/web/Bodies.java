package io.qbridge.web;

import io.qbridge.error.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Request body parsing with client-facing 400s instead of parser exceptions. */
public final class Bodies {

  private Bodies() {}

  /** The body as a JSON object; 400 when it is missing, not JSON, or not an object. */
  public static JsonObject jsonObject(RoutingContext ctx) {
    Buffer buf = ctx.body().buffer();
    if (buf == null || buf.length() == 0) throw GatewayException.badRequest("Request body must be a JSON object, got an empty body");
    Object parsed;
    try {
      parsed = io.vertx.core.json.Json.decodeValue(buf);
    } catch (DecodeException e) {
      throw GatewayException.badRequest("Request body is not valid JSON" + where(e));
    }
    if (!(parsed instanceof JsonObject o)) throw GatewayException.badRequest("Request body must be a JSON object");
    return o;
  }

  /**
   * Where the parser stopped, e.g. " (line 1, column 7)"; never the parser's own text, which names
   * its internals (token names, feature flags, source descriptions) rather than the client's mistake.
   */
  private static String where(DecodeException e) {
    if (e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException jpe && jpe.getLocation() != null) {
      return " (line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr() + ")";
    }
    return "";
  }
}
