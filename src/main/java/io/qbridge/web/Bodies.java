package io.qbridge.web;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import io.qbridge.error.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;

/**
 * Request bodies as {@link RawBodyHandler} read them, and their parsing with client-facing 400s
 * instead of parser exceptions. Parsing is bounded: nesting deeper than {@value #MAX_DEPTH} levels
 * is a 400 (a body of 100,000 {@code [} must not exhaust the stack of the recursive tree builder),
 * while strings may be as long as the body limit allows (Jackson's default 20 M-char cap would turn
 * a long prompt into "not valid JSON" instead of the "prompt is too long" clients act on).
 */
public final class Bodies {

  /** Deeper than any real request (tool schemas nest a few dozen levels). */
  static final int MAX_DEPTH = 256;

  private static final String KEY = "qbridge.body";
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH)
          .maxStringLength(Integer.MAX_VALUE)
          .build())
      .build();

  private Bodies() {}

  static void set(RoutingContext ctx, Buffer body) {
    ctx.put(KEY, body);
  }

  /** The raw body (empty when there was none). */
  public static Buffer buffer(RoutingContext ctx) {
    Buffer body = ctx.get(KEY);
    if (body == null) throw new IllegalStateException("no RawBodyHandler before " + ctx.request().path());
    return body;
  }

  /** The body as a JSON object; 400 when it is missing, not JSON, or not an object. */
  public static JsonObject jsonObject(RoutingContext ctx) {
    return jsonObject(buffer(ctx));
  }

  /** {@link #jsonObject(RoutingContext)} on bytes already read; thread-safe, so it may run on a worker. */
  public static JsonObject jsonObject(Buffer body) {
    if (body.length() == 0) throw GatewayException.badRequest("Request body must be a JSON object, got an empty body");
    Object parsed;
    try {
      JsonParser parser = JSON.createParser(body.getBytes());
      parsed = JacksonCodec.fromParser(parser, Object.class);
    } catch (DecodeException | IOException e) {
      throw GatewayException.badRequest("Request body is not valid JSON: " + firstLine(e.getMessage()));
    }
    if (!(parsed instanceof JsonObject o)) throw GatewayException.badRequest("Request body must be a JSON object");
    return o;
  }

  private static String firstLine(String s) {
    if (s == null) return "";
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) : line;
  }
}
