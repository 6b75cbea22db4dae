package io.qbridge.eventstream;

import static io.qbridge.eventstream.EventStreamTestSupport.V1_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V2_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V3_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V4_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.V5_HEX;
import static io.qbridge.eventstream.EventStreamTestSupport.assertSameMessages;
import static io.qbridge.eventstream.EventStreamTestSupport.concat;
import static io.qbridge.eventstream.EventStreamTestSupport.feedChunks;
import static io.qbridge.eventstream.EventStreamTestSupport.hex;
import static io.qbridge.eventstream.EventStreamTestSupport.randomChunkSizes;
import static io.qbridge.eventstream.EventStreamTestSupport.withSeed;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Style guide 6(b): the same multi-frame input split at every chunk size and at random points. */
class EventStreamChunkingTest {

  // V2‖V3‖V4‖V5‖V1: every header type used on the wire by Q, non-string headers, an empty frame last
  private static final Buffer INPUT = concat(hex(V2_HEX), hex(V3_HEX), hex(V4_HEX), hex(V5_HEX), hex(V1_HEX));
  private static List<EventStreamMessage> expected;

  @BeforeAll
  static void decodeInOneChunk() {
    expected = feedChunks(INPUT, List.of(INPUT.length()));
    assertThat(expected).extracting(EventStreamMessage::messageType)
        .containsExactly("event", "event", "exception", "event", null);
  }

  @Test
  void everyChunkSizeFromOneToTwiceTheInput() {
    for (int size = 1; size <= 2 * INPUT.length(); size++) {
      try {
        assertSameMessages(feedChunks(INPUT, size), expected);
      } catch (AssertionError e) {
        throw new AssertionError("chunk size " + size + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void everySingleSplitPoint() {
    for (int cut = 0; cut <= INPUT.length(); cut++) {
      assertSameMessages(feedChunks(INPUT, List.of(cut, INPUT.length() - cut)), expected);
    }
  }

  @Test
  void seededRandomAndShuffledChunkLists() {
    withSeed("random chunk lists", random -> {
      for (int i = 0; i < 2_000; i++) {
        List<Integer> sizes = randomChunkSizes(random, INPUT.length(), 1 + random.nextInt(2 * INPUT.length()));
        assertSameMessages(feedChunks(INPUT, sizes), expected);
        // the same sizes in another order put the boundaries elsewhere
        List<Integer> shuffled = new ArrayList<>(sizes);
        Collections.shuffle(shuffled, random);
        assertSameMessages(feedChunks(INPUT, shuffled), expected);
      }
    });
  }
}
