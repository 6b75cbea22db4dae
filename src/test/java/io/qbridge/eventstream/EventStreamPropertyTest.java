package io.qbridge.eventstream;

import static io.qbridge.eventstream.EventStreamTestSupport.assertSameMessages;
import static io.qbridge.eventstream.EventStreamTestSupport.feedChunks;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Property-based twin of {@link EventStreamRoundTripTest}: any list of messages, encoded and fed
 * in any chunking, decodes to the same messages. jqwik shrinks a failure to a minimal case and
 * prints its seed. Tries are modest to keep the suite fast; the seeded test does the volume.
 */
class EventStreamPropertyTest {

  @Property(tries = 300)
  void anyMessagesInAnyChunkingRoundTrip(
      @ForAll @Size(max = 6) List<@From("messages") EventStreamMessage> messages,
      @ForAll @Size(max = 40) List<@IntRange(min = 0, max = 700) Integer> chunkSizes) {
    Buffer stream = Buffer.buffer();
    messages.forEach(m -> stream.appendBuffer(EventStreamEncoder.encode(m)));
    assertSameMessages(feedChunks(stream, new ArrayList<>(chunkSizes)), messages);
  }

  @Provide
  Arbitrary<EventStreamMessage> messages() {
    Arbitrary<Map<String, HeaderValue>> headers = Arbitraries.maps(names(), values()).ofMaxSize(8);
    Arbitrary<byte[]> payload = Arbitraries.bytes().array(byte[].class).ofMaxSize(4096);
    return Combinators.combine(headers, payload).as((h, p) -> new EventStreamMessage(h, Buffer.buffer(p)));
  }

  /** 1..255 UTF-8 bytes: at most 85 chars of up to 3 bytes each, no surrogates. */
  private Arbitrary<String> names() {
    return Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\u07ff')
        .withCharRange('\u0800', '\ud7ff').ofMinLength(1).ofMaxLength(85);
  }

  private Arbitrary<HeaderValue> values() {
    return Arbitraries.oneOf(List.of(
        Arbitraries.of(true, false).map(HeaderValue.BoolValue::new),
        Arbitraries.bytes().map(HeaderValue.ByteValue::new),
        Arbitraries.shorts().map(HeaderValue.ShortValue::new),
        Arbitraries.integers().map(HeaderValue.IntValue::new),
        Arbitraries.longs().map(HeaderValue.LongValue::new),
        Arbitraries.bytes().array(byte[].class).ofMaxSize(300).map(HeaderValue.BytesValue::new),
        Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u00a0', '\ud7ff').ofMaxLength(300)
            .map(HeaderValue.StringValue::new),
        Arbitraries.longs().map(HeaderValue.TimestampValue::new),
        Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new).map(HeaderValue.UuidValue::new)));
  }
}
