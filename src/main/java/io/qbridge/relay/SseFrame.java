package io.qbridge.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes one SSE frame's bytes directly: pre-encoded constant parts, numbers, and JSON string
 * values escaped on the fly, with no JSON tree per delta (the hot path of every streamed answer).
 * The output is what {@code JsonObject.encode()} would give for the same fields in the same order:
 * {@code "} and {@code \} and control characters escaped as Jackson does, everything else as is.
 * Not thread-safe; make one per frame.
 */
public final class SseFrame {

  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

  private final Buffer buffer;

  private SseFrame(int capacity) {
    this.buffer = Buffer.buffer(capacity);
  }

  /** A frame with room for about {@code capacity} bytes (it grows if needed). */
  public static SseFrame of(int capacity) {
    return new SseFrame(capacity);
  }

  /** Pre-encodes a constant part once, e.g. {@code bytes("event: ping\ndata: {\"type\":\"ping\"}\n\n")}. */
  public static byte[] bytes(String constant) {
    return constant.getBytes(StandardCharsets.UTF_8);
  }

  public SseFrame raw(byte[] constant) {
    buffer.appendBytes(constant);
    return this;
  }

  public SseFrame number(long n) {
    if (n >= 0 && n < 10) buffer.appendByte((byte) ('0' + n));
    else buffer.appendString(Long.toString(n));
    return this;
  }

  /** {@code value} as a JSON string literal, quotes included; {@code null} as {@code null}. */
  public SseFrame string(String value) {
    if (value == null) {
      buffer.appendBytes(NULL);
      return this;
    }
    buffer.appendByte((byte) '"');
    int from = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      if (i > from) buffer.appendString(value.substring(from, i));
      escape(c);
      from = i + 1;
    }
    if (from == 0) buffer.appendString(value);
    else if (from < value.length()) buffer.appendString(value.substring(from));
    buffer.appendByte((byte) '"');
    return this;
  }

  public Buffer buffer() {
    return buffer;
  }

  private static final byte[] NULL = bytes("null");

  private void escape(char c) {
    buffer.appendByte((byte) '\\');
    switch (c) {
      case '"' -> buffer.appendByte((byte) '"');
      case '\\' -> buffer.appendByte((byte) '\\');
      case '\n' -> buffer.appendByte((byte) 'n');
      case '\r' -> buffer.appendByte((byte) 'r');
      case '\t' -> buffer.appendByte((byte) 't');
      case '\b' -> buffer.appendByte((byte) 'b');
      case '\f' -> buffer.appendByte((byte) 'f');
      default -> buffer.appendByte((byte) 'u').appendByte((byte) '0').appendByte((byte) '0')
          .appendByte(HEX[c >> 4]).appendByte(HEX[c & 0xF]);
    }
  }
}
