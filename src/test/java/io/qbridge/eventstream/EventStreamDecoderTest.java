package io.qbridge.eventstream;

import static io.qbridge.eventstream.EventStreamTestSupport.V1_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V2_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V3_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V3_PAYLOAD;
import static io.qbridge.eventstream.EventStreamTestSupport.V4_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V5_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.concat;
import static io.qbridge.eventstream.EventStreamTestSupport.feedChunks;
import static io.qbridge.eventstream.EventStreamTestSupport.frameWithRawHeaders;
import static io.qbridge.eventstream.EventStreamTestSupport.hex;
import static io.qbridge.eventstream.EventStreamTestSupport.prelude;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.qbridge.eventstream.EventStreamException.Kind;
import io.qbridge.eventstream.HeaderValue.BoolValue;
import io.qbridge.eventstream.HeaderValue.IntValue;
import io.qbridge.eventstream.HeaderValue.StringValue;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Protocol doc §12.2 vectors, every error category, and the decoder's buffering contract. */
class EventStreamDecoderTest {

  private final List<EventStreamMessage> messages = new ArrayList<>();
  private final EventStreamDecoder decoder = new EventStreamDecoder(messages::add);

  private static List<EventStreamMessage> decodeAll(Buffer input) {
    return feedChunks(input, List.of(input.length()));
  }

  private static EventStreamException decodeFailure(Buffer input) {
    EventStreamDecoder d = new EventStreamDecoder(m -> {});
    return catchThrowableOfType(EventStreamException.class, () -> d.feed(input));
  }

  private static Map<String, HeaderValue> strings(String... kv) {
    Map<String, HeaderValue> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], new StringValue(kv[i + 1]));
    }
    return m;
  }

  @Nested
  class Vectors {

    @Test
    void crcHelperHasTheStandardCheckValue() {
      Buffer b = Buffer.buffer("123456789");
      assertThat(EventStreamDecoder.crc32(b, 0, b.length())).isEqualTo(0xCBF43926L);
      // also across the scratch-array boundary and at an offset
      Buffer big = Buffer.buffer(new byte[20_000]).appendString("123456789");
      assertThat(EventStreamDecoder.crc32(big, 20_000, big.length())).isEqualTo(0xCBF43926L);
    }

    @Test
    void v1EmptyFrame() {
      List<EventStreamMessage> out = decodeAll(hex(V1_HEX));
      assertThat(out).hasSize(1);
      assertThat(out.get(0).headers()).isEmpty();
      assertThat(out.get(0).payload().length()).isZero();
      assertThat(hex(V1_HEX).getBytes()).isEqualTo(java.util.Base64.getDecoder().decode("AAAAEAAAAAAFwkjrfZjI/w=="));
    }

    @Test
    void v2AssistantResponseEvent() {
      List<EventStreamMessage> out = decodeAll(hex(V2_HEX));
      assertThat(out).hasSize(1);
      EventStreamMessage m = out.get(0);
      assertThat(m.headers()).containsExactlyEntriesOf(strings(
          ":event-type", "assistantResponseEvent", ":content-type", "application/json", ":message-type", "event"));
      assertThat(m.messageType()).isEqualTo("event");
      assertThat(m.eventType()).isEqualTo("assistantResponseEvent");
      assertThat(m.payloadAsString()).isEqualTo("{\"content\":\"Hello\"}");
    }

    @Test
    void v3ToolUseEvent() {
      EventStreamMessage m = decodeAll(hex(V3_HEX)).get(0);
      assertThat(m.eventType()).isEqualTo("toolUseEvent");
      assertThat(m.headers()).hasSize(3);
      assertThat(m.payloadAsString()).isEqualTo(V3_PAYLOAD);
    }

    @Test
    void v4ExceptionFrame() {
      EventStreamMessage m = decodeAll(hex(V4_HEX)).get(0);
      assertThat(m.headers()).containsExactlyEntriesOf(strings(
          ":exception-type", "ThrottlingException", ":content-type", "application/json", ":message-type", "exception"));
      assertThat(m.exceptionType()).isEqualTo("ThrottlingException");
      assertThat(m.payloadAsString()).isEqualTo("{\"message\":\"Too many requests\"}");
    }

    @Test
    void v5NonStringHeaders() {
      EventStreamMessage m = decodeAll(hex(V5_HEX)).get(0);
      Map<String, HeaderValue> expected = new LinkedHashMap<>();
      expected.put("flag", new BoolValue(true));
      expected.put("num", new IntValue(42));
      expected.put(":message-type", new StringValue("event"));
      assertThat(m.headers()).containsExactlyEntriesOf(expected);
      assertThat(m.payloadAsString()).isEqualTo("{}");
    }

    @Test
    void encoderReproducesTheVectorsExactly() {
      assertThat(EventStreamEncoder.encode(Map.of(), Buffer.buffer()).getBytes()).isEqualTo(hex(V1_HEX).getBytes());
      assertThat(EventStreamEncoder.event("assistantResponseEvent", "{\"content\":\"Hello\"}").getBytes())
          .isEqualTo(hex(V2_HEX).getBytes());
      assertThat(EventStreamEncoder.event("toolUseEvent", V3_PAYLOAD).getBytes()).isEqualTo(hex(V3_HEX).getBytes());
      assertThat(EventStreamEncoder.exception("ThrottlingException", "{\"message\":\"Too many requests\"}").getBytes())
          .isEqualTo(hex(V4_HEX).getBytes());
      Map<String, HeaderValue> v5 = new LinkedHashMap<>();
      v5.put("flag", new BoolValue(true));
      v5.put("num", new IntValue(42));
      v5.put(":message-type", new StringValue("event"));
      assertThat(EventStreamEncoder.encode(v5, Buffer.buffer("{}")).getBytes()).isEqualTo(hex(V5_HEX).getBytes());
    }

    @Test
    void v2ByteByByteGivesExactlyOneFrame() {
      Buffer v2 = hex(V2_HEX);
      for (int i = 0; i < v2.length(); i++) {
        assertThat(messages).isEmpty();
        assertThat(decoder.bufferedBytes()).isEqualTo(i);
        assertThat(decoder.isIdle()).isEqualTo(i == 0);
        decoder.feed(v2.getBuffer(i, i + 1));
      }
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).payloadAsString()).isEqualTo("{\"content\":\"Hello\"}");
      assertThat(decoder.isIdle()).isTrue();
      assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void v2SplitInsideTheHeaderBlockGivesExactlyOneFrame() {
      Buffer v2 = hex(V2_HEX);
      int split = 12 + 20; // inside ":event-type"'s value
      decoder.feed(v2.getBuffer(0, split));
      assertThat(messages).isEmpty();
      assertThat(decoder.isIdle()).isFalse();
      decoder.feed(v2.getBuffer(split, v2.length()));
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).eventType()).isEqualTo("assistantResponseEvent");
      assertThat(decoder.isIdle()).isTrue();
    }

    @Test
    void v2v3v1InOneChunkGiveThreeFramesInOrder() {
      List<EventStreamMessage> out = decodeAll(concat(hex(V2_HEX), hex(V3_HEX), hex(V1_HEX)));
      assertThat(out).extracting(EventStreamMessage::eventType)
          .containsExactly("assistantResponseEvent", "toolUseEvent", null);
      assertThat(out.get(2).headers()).isEmpty();
    }
  }

  @Nested
  class Errors {

    @Test
    void everyFlippedPayloadByteIsAMessageCrcError() {
      Buffer v2 = hex(V2_HEX);
      int payloadStart = 12 + 92;
      for (int i = payloadStart; i < v2.length() - 4; i++) {
        Buffer bad = v2.copy();
        bad.setByte(i, (byte) (bad.getByte(i) ^ 0x01));
        EventStreamException e = decodeFailure(bad);
        assertThat(e.kind()).as("byte %d", i).isEqualTo(Kind.MESSAGE_CRC);
        assertThat(e.getMessage()).startsWith("MESSAGE_CRC: message CRC expected 0x9B5D0635, computed 0x");
      }
    }

    @Test
    void corruptedMessageCrcFieldIsAMessageCrcError() {
      Buffer bad = hex(V2_HEX);
      bad.setByte(bad.length() - 1, (byte) 0x36);
      assertThat(decodeFailure(bad).kind()).isEqualTo(Kind.MESSAGE_CRC);
    }

    @ParameterizedTest
    @ValueSource(ints = {0x00, 0x7e, 0x80, 0xff})
    void changedByte3IsAPreludeCrcError(int value) {
      Buffer bad = hex(V2_HEX);
      bad.setByte(3, (byte) value);
      EventStreamException e = decodeFailure(bad);
      assertThat(e.kind()).isEqualTo(Kind.PRELUDE_CRC);
      assertThat(e.getMessage()).matches("PRELUDE_CRC: prelude CRC expected 0x7C7DB5A8, computed 0x[0-9A-F]{8}");
    }

    @Test
    void preludeCrcIsCheckedWithTwelveBytesBeforeTheBodyArrives() {
      Buffer bad = hex(V2_HEX).getBuffer(0, 12);
      bad.setByte(3, (byte) 0x7e);
      decoder.feed(bad.getBuffer(0, 11));
      assertThat(decoder.bufferedBytes()).isEqualTo(11);
      assertThatThrownBy(() -> decoder.feed(bad.getBuffer(11, 12)))
          .isInstanceOfSatisfying(EventStreamException.class, e -> assertThat(e.kind()).isEqualTo(Kind.PRELUDE_CRC));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 12, 15})
    void totalLengthBelowSixteenIsOutOfBounds(long total) {
      EventStreamException e = decodeFailure(concat(prelude(total, 0), Buffer.buffer(new byte[16])));
      assertThat(e.kind()).isEqualTo(Kind.LENGTH_OUT_OF_BOUNDS);
      assertThat(e.getMessage()).contains("total_length " + total);
    }

    @ParameterizedTest
    @ValueSource(longs = {EventStreamDecoder.MAX_MESSAGE_BYTES + 1L, 0x7fffffffL, 0x80000000L, 0xffffffffL})
    void totalLengthAboveTheCapFailsOnThePreludeWithoutBufferingTheBody(long total) {
      Buffer p = prelude(total, 0);
      decoder.feed(p.getBuffer(0, 11));
      assertThat(decoder.bufferedBytes()).isEqualTo(11);
      // the 12th byte completes the prelude: the frame is rejected before any body byte is accepted
      assertThatThrownBy(() -> decoder.feed(p.getBuffer(11, 12)))
          .isInstanceOfSatisfying(EventStreamException.class,
              e -> assertThat(e.kind()).isEqualTo(Kind.LENGTH_OUT_OF_BOUNDS));
      // same when the prelude arrives in one chunk together with the start of a body
      EventStreamException e = decodeFailure(concat(p, Buffer.buffer(new byte[4096])));
      assertThat(e.kind()).isEqualTo(Kind.LENGTH_OUT_OF_BOUNDS);
    }

    @Test
    void totalLengthAtTheCapIsAcceptedAndOnlyThePreludeIsHeld() {
      decoder.feed(prelude(EventStreamDecoder.MAX_MESSAGE_BYTES, 0));
      assertThat(decoder.bufferedBytes()).isEqualTo(12);
      assertThat(decoder.isIdle()).isFalse();
    }

    @Test
    void frameOfExactlyTheCapDecodes() {
      Buffer payload = Buffer.buffer(new byte[EventStreamDecoder.MAX_MESSAGE_BYTES - 16]);
      payload.setByte(payload.length() - 1, (byte) 42);
      Buffer frame = EventStreamEncoder.encode(Map.of(), payload);
      assertThat(frame.length()).isEqualTo(EventStreamDecoder.MAX_MESSAGE_BYTES);
      int chunk = 256 * 1024;
      for (int i = 0; i < frame.length(); i += chunk) {
        decoder.feed(frame.slice(i, Math.min(frame.length(), i + chunk)));
        assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(EventStreamDecoder.MAX_MESSAGE_BYTES);
      }
      assertThat(messages).hasSize(1);
      assertThat(messages.get(0).payload().length()).isEqualTo(payload.length());
      assertThat(messages.get(0).payload().getByte(payload.length() - 1)).isEqualTo((byte) 42);
    }

    @Test
    void headersLengthBeyondTheFrameIsOutOfBounds() {
      assertThat(decodeFailure(prelude(16, 1)).kind()).isEqualTo(Kind.LENGTH_OUT_OF_BOUNDS);
      assertThat(decodeFailure(prelude(127, 112)).kind()).isEqualTo(Kind.LENGTH_OUT_OF_BOUNDS);
      assertThat(decodeFailure(prelude(127, 0xffffffffL)).getMessage()).contains("headers_length 4294967295");
      // headers_length = total - 16 (no payload) is legal
      decoder.feed(prelude(127, 111));
      assertThat(decoder.bufferedBytes()).isEqualTo(12);
    }

    private Buffer header(String name, int type, Buffer value) {
      byte[] n = name.getBytes(StandardCharsets.UTF_8);
      return Buffer.buffer().appendByte((byte) n.length).appendBytes(n).appendByte((byte) type).appendBuffer(value);
    }

    private EventStreamException malformed(Buffer headerBlock) {
      EventStreamException e = decodeFailure(frameWithRawHeaders(headerBlock, Buffer.buffer("{}")));
      assertThat(e).as("expected a failure").isNotNull();
      assertThat(e.kind()).isEqualTo(Kind.MALFORMED_HEADER);
      return e;
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 11, 0x7f, 0xff})
    void unknownHeaderTypeIsMalformed(int type) {
      EventStreamException e = malformed(header("x", type, Buffer.buffer(new byte[4])));
      assertThat(e.getMessage()).contains("unknown value type " + type);
    }

    @Test
    void zeroLengthHeaderNameIsMalformed() {
      assertThat(malformed(Buffer.buffer(new byte[] {0, 0})).getMessage()).contains("name length 0");
      // also after a valid header
      malformed(concat(header("ok", 0, Buffer.buffer()), Buffer.buffer(new byte[] {0, 0})));
    }

    @Test
    void headerNameOverrunningTheBlockIsMalformed() {
      malformed(Buffer.buffer(new byte[] {5, 'a', 'b'}));
    }

    @Test
    void missingTypeByteIsMalformed() {
      malformed(Buffer.buffer(new byte[] {1, 'a'}));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9})
    void valueOverrunningTheHeaderBlockIsMalformed(int type) {
      int fixed = switch (type) {
        case 2 -> 1;
        case 3, 6, 7 -> 2;
        case 4 -> 4;
        case 5, 8 -> 8;
        default -> 16;
      };
      // one byte short of the fixed part
      malformed(header("h", type, Buffer.buffer(new byte[fixed - 1])));
      if (type == 6 || type == 7) {
        // length prefix says 5, only 4 bytes follow
        malformed(header("h", type, Buffer.buffer().appendUnsignedShort(5).appendBytes(new byte[4])));
        malformed(header("h", type, Buffer.buffer().appendUnsignedShort(0xffff)));
      }
    }

    @Test
    void duplicateHeaderNamesLastWins() {
      Buffer block = concat(header("k", 4, Buffer.buffer().appendInt(1)), header("k", 4, Buffer.buffer().appendInt(2)));
      decoder.feed(frameWithRawHeaders(block, Buffer.buffer()));
      assertThat(messages.get(0).headers()).containsExactly(Map.entry("k", new IntValue(2)));
    }

    @Test
    void allTenHeaderTypesAndMaximalNamesDecode() {
      Map<String, HeaderValue> h = new LinkedHashMap<>();
      h.put("t", new BoolValue(true));
      h.put("f", new BoolValue(false));
      h.put("b", new HeaderValue.ByteValue((byte) -7));
      h.put("s", new HeaderValue.ShortValue((short) -30000));
      h.put("i", new IntValue(Integer.MIN_VALUE));
      h.put("l", new HeaderValue.LongValue(Long.MAX_VALUE));
      h.put("bytes", new HeaderValue.BytesValue(new byte[] {0, (byte) 0xff, 1}));
      h.put("empty", new HeaderValue.BytesValue(new byte[0]));
      h.put("str", new StringValue("h\u00e9llo \ud83d\ude00"));
      h.put("ts", new HeaderValue.TimestampValue(1_700_000_000_123L));
      h.put("u", new HeaderValue.UuidValue(UUID.fromString("123e4567-e89b-12d3-a456-426614174000")));
      h.put("n".repeat(255), new StringValue(""));
      EventStreamMessage in = new EventStreamMessage(h, Buffer.buffer("payload"));
      decoder.feed(EventStreamEncoder.encode(in));
      EventStreamTestSupport.assertSameMessages(messages, List.of(in));
      assertThat(messages.get(0).headers().get("ts").asString()).isEqualTo("2023-11-14T22:13:20.123Z");
    }
  }

  @Nested
  class Contract {

    @Test
    void decoderIsDeadAfterAFramingError() {
      Buffer bad = hex(V2_HEX);
      bad.setByte(3, (byte) 0);
      assertThatThrownBy(() -> decoder.feed(bad)).isInstanceOf(EventStreamException.class);
      assertThatThrownBy(() -> decoder.feed(hex(V1_HEX)))
          .isInstanceOf(IllegalStateException.class)
          .hasCauseInstanceOf(EventStreamException.class);
      assertThatThrownBy(() -> decoder.feed(Buffer.buffer())).isInstanceOf(IllegalStateException.class);
      assertThat(messages).isEmpty();
      assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void framesBeforeAnErrorInTheSameChunkAreDelivered() {
      Buffer bad = hex(V3_HEX);
      bad.setByte(bad.length() - 6, (byte) 'X');
      assertThatThrownBy(() -> decoder.feed(concat(hex(V2_HEX), hex(V1_HEX), bad)))
          .isInstanceOfSatisfying(EventStreamException.class, e -> assertThat(e.kind()).isEqualTo(Kind.MESSAGE_CRC));
      assertThat(messages).hasSize(2);
    }

    @Test
    void handlerExceptionPropagatesAndKillsTheDecoder() {
      RuntimeException boom = new RuntimeException("boom");
      EventStreamDecoder d = new EventStreamDecoder(m -> { throw boom; });
      assertThatThrownBy(() -> d.feed(hex(V1_HEX))).isSameAs(boom);
      assertThatThrownBy(() -> d.feed(hex(V1_HEX))).isInstanceOf(IllegalStateException.class).hasCause(boom);
    }

    @Test
    void nullChunkIsRejectedAndEmptyChunkIsANoOp() {
      assertThatThrownBy(() -> decoder.feed(null)).isInstanceOf(NullPointerException.class);
      decoder.feed(hex(V2_HEX).getBuffer(0, 5));
      decoder.feed(Buffer.buffer());
      assertThat(decoder.bufferedBytes()).isEqualTo(5);
      decoder.feed(hex(V2_HEX).getBuffer(5, 127));
      assertThat(messages).hasSize(1);
    }

    @Test
    void truncatedStreamLeavesDecoderNotIdle() {
      Buffer v2 = hex(V2_HEX);
      decoder.feed(concat(hex(V1_HEX), v2.getBuffer(0, v2.length() - 1)));
      assertThat(messages).hasSize(1);
      assertThat(decoder.isIdle()).isFalse();
      assertThat(decoder.bufferedBytes()).isEqualTo(v2.length() - 1);
    }

    @Test
    void payloadIsAPrivateCopyAndChunksAreNeverMutated() {
      Buffer chunk = concat(hex(V2_HEX), hex(V3_HEX).getBuffer(0, 50));
      byte[] before = chunk.getBytes();
      decoder.feed(chunk);
      decoder.feed(hex(V3_HEX).getBuffer(50, 183));
      assertThat(chunk.getBytes()).isEqualTo(before);
      // scribbling over the input afterwards does not reach the delivered payloads
      for (int i = 0; i < chunk.length(); i++) {
        chunk.setByte(i, (byte) 0);
      }
      assertThat(messages.get(0).payloadAsString()).isEqualTo("{\"content\":\"Hello\"}");
      assertThat(messages.get(1).payloadAsString()).isEqualTo(V3_PAYLOAD);
    }

    @Test
    void reentrantFeedIsQueuedAfterTheCurrentChunk() {
      Buffer v3 = hex(V3_HEX);
      List<String> order = new ArrayList<>();
      EventStreamDecoder[] self = new EventStreamDecoder[1];
      self[0] = new EventStreamDecoder(m -> {
        order.add(m.eventType() == null ? m.exceptionType() : m.eventType());
        if ("assistantResponseEvent".equals(m.eventType())) {
          // the rest of V3, fed from inside the handler while the outer chunk still holds V3's head
          Buffer tail = v3.getBuffer(40, v3.length());
          self[0].feed(tail);
          tail.setByte(tail.length() - 1, (byte) 0); // the decoder must have kept its own copy
          self[0].feed(hex(V4_HEX));
          assertThat(self[0].bufferedBytes()).isGreaterThan(0);
        }
      });
      self[0].feed(concat(hex(V2_HEX), v3.getBuffer(0, 40)));
      assertThat(order).containsExactly("assistantResponseEvent", "toolUseEvent", "ThrottlingException");
      assertThat(self[0].isIdle()).isTrue();
      assertThat(self[0].bufferedBytes()).isZero();
    }

    @Test
    void bufferedBytesNeverExceedTheFrameBeingAssembled() {
      Buffer payload = Buffer.buffer(new byte[100_000]);
      Buffer frame = EventStreamEncoder.encode(Map.of(":message-type", new StringValue("event")), payload);
      Buffer stream = concat(frame, hex(V1_HEX), frame);
      int fed = 0;
      for (int i = 0; i < stream.length(); i += 999) {
        Buffer chunk = stream.slice(i, Math.min(stream.length(), i + 999));
        decoder.feed(chunk);
        fed += chunk.length();
        assertThat(decoder.bufferedBytes()).isLessThan(frame.length());
      }
      assertThat(fed).isEqualTo(stream.length());
      assertThat(messages).hasSize(3);
      assertThat(decoder.isIdle()).isTrue();
    }
  }
}
