package io.qbridge.upstream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Reads the payload of the most frequent upstream event, a text fragment, without building a tree. */
final class TextPayload {

  /** Thread-safe once configured. */
  private static final JsonFactory JSON = new JsonFactory();

  private TextPayload() {}

  /**
   * The {@code content} string of an {@code assistantResponseEvent} payload, read with a streaming
   * parser: the event of every text fragment, so no map and no tree per fragment (the tree cost ~5 %
   * of qbridge's CPU per streamed request). Same answers as {@code new JsonObject(payload)}: an
   * empty payload or a non-string content is {@code ""}, the last of duplicate keys wins, and
   * anything but exactly one JSON object is {@code null} (malformed).
   */
  static String content(Buffer payload) {
    if (payload.length() == 0) return "";
    String plain = plainContent(payload);
    return plain != null ? plain : parsed(payload);
  }

  private static final byte[] PREFIX = "{\"content\":\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * The fast path, for the shape Amazon Q sends: exactly {@code {"content":"…"}} with printable
   * ASCII and JSON escapes inside, read straight from the buffer into one char array (no byte copy,
   * no parser with its contexts and symbol table per fragment, which was a tenth of the bytes
   * qbridge allocated per streamed request). {@code null} for anything else (whitespace, other
   * fields, non-ASCII bytes, an odd escape, malformed input): the parser then decides, so the
   * answers stay exactly the parser's.
   */
  static String plainContent(Buffer payload) {
    int n = payload.length();
    int start = PREFIX.length;
    int end = n - 2; // where the closing quote must be, followed by the closing brace
    if (end < start || payload.getByte(n - 1) != '}' || payload.getByte(end) != '"') return null;
    for (int i = 0; i < start; i++) {
      if (payload.getByte(i) != PREFIX[i]) return null;
    }
    char[] out = new char[end - start];
    int len = 0;
    for (int i = start; i < end; i++) {
      byte b = payload.getByte(i);
      if (b < 0x20 || b == '"') return null; // control or non-ASCII byte, or the string ends early
      if (b != '\\') {
        out[len++] = (char) b;
        continue;
      }
      if (++i >= end) return null;
      switch (payload.getByte(i)) {
        case '"' -> out[len++] = '"';
        case '\\' -> out[len++] = '\\';
        case '/' -> out[len++] = '/';
        case 'b' -> out[len++] = '\b';
        case 'f' -> out[len++] = '\f';
        case 'n' -> out[len++] = '\n';
        case 'r' -> out[len++] = '\r';
        case 't' -> out[len++] = '\t';
        case 'u' -> {
          if (i + 4 >= end) return null;
          int c = 0;
          for (int k = 1; k <= 4; k++) {
            int digit = Character.digit(payload.getByte(i + k), 16);
            if (digit < 0) return null;
            c = (c << 4) | digit;
          }
          out[len++] = (char) c;
          i += 4;
        }
        default -> {
          return null;
        }
      }
    }
    return new String(out, 0, len);
  }

  /** The general case: a streaming parser over the payload. */
  private static String parsed(Buffer payload) {
    try (JsonParser p = JSON.createParser(payload.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) return null;
      String content = "";
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        if (t != JsonToken.FIELD_NAME) return null;
        boolean isContent = "content".equals(p.currentName());
        JsonToken value = p.nextToken();
        if (value == null) return null;
        if (isContent) content = value == JsonToken.VALUE_STRING ? p.getText() : "";
        p.skipChildren();
      }
      return p.nextToken() == null ? content : null; // trailing data: not one JSON value
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
