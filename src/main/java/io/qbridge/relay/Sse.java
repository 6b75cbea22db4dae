package io.qbridge.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Server-Sent Events framing and the response headers that keep proxies from buffering. */
public final class Sse {

  // pre-encoded once: every streamed answer sends them, and an encoded name or value is copied, not re-encoded
  private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  private static final CharSequence EVENT_STREAM = HttpHeaders.createOptimized("text/event-stream; charset=utf-8");
  private static final CharSequence CACHE_CONTROL = HttpHeaders.CACHE_CONTROL;
  private static final CharSequence NO_CACHE = HttpHeaders.createOptimized("no-cache");
  private static final CharSequence ACCEL_BUFFERING = HttpHeaders.createOptimized("x-accel-buffering");
  private static final CharSequence NO = HttpHeaders.createOptimized("no");

  private Sse() {}

  /** {@code event: <name>\ndata: <json>\n\n} (JSON never contains a raw newline). */
  public static Buffer event(String name, JsonObject data) {
    return Buffer.buffer("event: " + name + "\ndata: " + data.encode() + "\n\n");
  }

  /** {@code data: <payload>\n\n}, the OpenAI style without event names. */
  public static Buffer data(String payload) {
    return Buffer.buffer("data: " + payload + "\n\n");
  }

  /** A comment line: ignored by SSE parsers, keeps idle proxies and clients from timing out. */
  public static Buffer comment(String text) {
    return Buffer.buffer(": " + text + "\n\n");
  }

  /** 200, chunked, {@code text/event-stream}, no caching, no nginx buffering. */
  public static void prepare(HttpServerResponse response) {
    response.setStatusCode(200)
        .setChunked(true)
        .putHeader(CONTENT_TYPE, EVENT_STREAM)
        .putHeader(CACHE_CONTROL, NO_CACHE)
        .putHeader(ACCEL_BUFFERING, NO);
  }
}
