package io.qbridge.eventstream;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * One typed header value of an AWS event-stream message. The wire type byte is {@link #typeCode()}.
 *
 * <pre>
 * type 0 bool true   (no value bytes)      type 5 long      (8, int64)
 * type 1 bool false  (no value bytes)      type 6 bytes     (uint16 length + bytes)
 * type 2 byte        (1, signed)           type 7 string    (uint16 length + UTF-8)
 * type 3 short       (2, int16)            type 8 timestamp (8, int64 epoch millis)
 * type 4 integer     (4, int32)            type 9 uuid      (16)
 * </pre>
 */
public sealed interface HeaderValue {

  int typeCode();

  /** Human readable value, used for logs and for {@link EventStreamMessage#header(String)}. */
  String asString();

  record BoolValue(boolean value) implements HeaderValue {
    public int typeCode() { return value ? 0 : 1; }
    public String asString() { return Boolean.toString(value); }
  }

  record ByteValue(byte value) implements HeaderValue {
    public int typeCode() { return 2; }
    public String asString() { return Byte.toString(value); }
  }

  record ShortValue(short value) implements HeaderValue {
    public int typeCode() { return 3; }
    public String asString() { return Short.toString(value); }
  }

  record IntValue(int value) implements HeaderValue {
    public int typeCode() { return 4; }
    public String asString() { return Integer.toString(value); }
  }

  record LongValue(long value) implements HeaderValue {
    public int typeCode() { return 5; }
    public String asString() { return Long.toString(value); }
  }

  /** Raw bytes; the array is never mutated after construction. */
  record BytesValue(byte[] value) implements HeaderValue {
    public int typeCode() { return 6; }
    public String asString() { return new String(value, StandardCharsets.UTF_8); }
    @Override public boolean equals(Object o) { return o instanceof BytesValue b && Arrays.equals(value, b.value); }
    @Override public int hashCode() { return Arrays.hashCode(value); }
    @Override public String toString() { return "BytesValue[" + value.length + " bytes]"; }
  }

  record StringValue(String value) implements HeaderValue {
    public int typeCode() { return 7; }
    public String asString() { return value; }
  }

  record TimestampValue(long epochMillis) implements HeaderValue {
    public int typeCode() { return 8; }
    public String asString() { return java.time.Instant.ofEpochMilli(epochMillis).toString(); }
  }

  record UuidValue(UUID value) implements HeaderValue {
    public int typeCode() { return 9; }
    public String asString() { return value.toString(); }
  }
}
