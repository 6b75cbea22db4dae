package io.qbridge.eventstream;

import static io.qbridge.eventstream.EventStreamTestSupport.assertSameMessages;
import static io.qbridge.eventstream.EventStreamTestSupport.feedChunks;
import static io.qbridge.eventstream.EventStreamTestSupport.randomChunkSizes;
import static io.qbridge.eventstream.EventStreamTestSupport.randomMessage;
import static io.qbridge.eventstream.EventStreamTestSupport.withSeed;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Style guide 6(c): thousands of random frames (all ten header types, payloads 0..4 KiB) encoded
 * with the test encoder, concatenated, fed in random chunks, and compared with the originals.
 */
class EventStreamRoundTripTest {

  private static final int MESSAGES = 5_000;
  private static final int PER_STREAM = 100; // a fresh decoder per stream also covers stream starts

  @Test
  void seededRandomRoundTrip() {
    withSeed("round trip", random -> {
      int decoded = 0;
      long bytes = 0;
      for (int done = 0; done < MESSAGES; done += PER_STREAM) {
        List<EventStreamMessage> sent = new ArrayList<>();
        Buffer stream = Buffer.buffer();
        for (int i = 0; i < PER_STREAM; i++) {
          EventStreamMessage m = randomMessage(random, 4096);
          sent.add(m);
          stream.appendBuffer(EventStreamEncoder.encode(m));
        }
        int maxChunk = random.nextBoolean() ? 64 : 16 * 1024;
        List<EventStreamMessage> received = feedChunks(stream, randomChunkSizes(random, stream.length(), maxChunk));
        assertSameMessages(received, sent);
        decoded += received.size();
        bytes += stream.length();
      }
      assertThat(decoded).isEqualTo(MESSAGES);
      assertThat(bytes).as("encoded bytes").isGreaterThan(MESSAGES * 2048L);
    });
  }
}
