package io.qbridge.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/** Server-Sent Events framing and the response headers that keep proxies from buffering. */
public final class Sse {

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
        .putHeader("content-type", "text/event-stream; charset=utf-8")
        .putHeader("cache-control", "no-cache")
        .putHeader("x-accel-buffering", "no");
  }
}
