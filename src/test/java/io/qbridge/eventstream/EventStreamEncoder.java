package io.qbridge.eventstream;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Test-scope encoder for AWS event-stream frames, the inverse of {@link EventStreamDecoder}.
 * Used by the Amazon Q emulator and by decoder round-trip tests. Production code never encodes.
 */
public final class EventStreamEncoder {

  private EventStreamEncoder() {}

  /** An {@code event} frame with JSON payload, headers in the order Amazon Q sends them. */
  public static Buffer event(String eventType, String jsonPayload) {
    Map<String, HeaderValue> h = new LinkedHashMap<>();
    h.put(EventStreamMessage.EVENT_TYPE, new HeaderValue.StringValue(eventType));
    h.put(EventStreamMessage.CONTENT_TYPE, new HeaderValue.StringValue("application/json"));
    h.put(EventStreamMessage.MESSAGE_TYPE, new HeaderValue.StringValue("event"));
    return encode(h, Buffer.buffer(jsonPayload));
  }

  /** An {@code exception} frame such as the one of protocol doc §12.2 V4. */
  public static Buffer exception(String exceptionType, String jsonPayload) {
    Map<String, HeaderValue> h = new LinkedHashMap<>();
    h.put(EventStreamMessage.EXCEPTION_TYPE, new HeaderValue.StringValue(exceptionType));
    h.put(EventStreamMessage.CONTENT_TYPE, new HeaderValue.StringValue("application/json"));
    h.put(EventStreamMessage.MESSAGE_TYPE, new HeaderValue.StringValue("exception"));
    return encode(h, Buffer.buffer(jsonPayload));
  }

  public static Buffer encode(EventStreamMessage message) {
    return encode(message.headers(), message.payload());
  }

  public static Buffer encode(Map<String, HeaderValue> headers, Buffer payload) {
    Buffer hb = Buffer.buffer();
    for (Map.Entry<String, HeaderValue> e : headers.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      hb.appendByte((byte) name.length).appendBytes(name);
      HeaderValue v = e.getValue();
      hb.appendByte((byte) v.typeCode());
      if (v instanceof HeaderValue.BoolValue) {
        // no value bytes
      } else if (v instanceof HeaderValue.ByteValue b) {
        hb.appendByte(b.value());
      } else if (v instanceof HeaderValue.ShortValue s) {
        hb.appendShort(s.value());
      } else if (v instanceof HeaderValue.IntValue i) {
        hb.appendInt(i.value());
      } else if (v instanceof HeaderValue.LongValue l) {
        hb.appendLong(l.value());
      } else if (v instanceof HeaderValue.BytesValue b) {
        hb.appendUnsignedShort(b.value().length).appendBytes(b.value());
      } else if (v instanceof HeaderValue.StringValue s) {
        byte[] bytes = s.value().getBytes(StandardCharsets.UTF_8);
        hb.appendUnsignedShort(bytes.length).appendBytes(bytes);
      } else if (v instanceof HeaderValue.TimestampValue t) {
        hb.appendLong(t.epochMillis());
      } else if (v instanceof HeaderValue.UuidValue u) {
        hb.appendLong(u.value().getMostSignificantBits()).appendLong(u.value().getLeastSignificantBits());
      }
    }
    int total = 12 + hb.length() + payload.length() + 4;
    Buffer frame = Buffer.buffer(total);
    frame.appendInt(total).appendInt(hb.length());
    frame.appendUnsignedInt(crc(frame, 0, 8));
    frame.appendBuffer(hb).appendBuffer(payload);
    frame.appendUnsignedInt(crc(frame, 0, frame.length()));
    return frame;
  }

  private static long crc(Buffer b, int from, int to) {
    CRC32 crc = new CRC32();
    crc.update(b.getBytes(from, to));
    return crc.getValue();
  }
}
