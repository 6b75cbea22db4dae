package io.qbridge.eventstream;

import static io.qbridge.eventstream.EventStreamTestSupport.fixCrcs;
import static io.qbridge.eventstream.EventStreamTestSupport.frameWithRawHeaders;
import static io.qbridge.eventstream.EventStreamTestSupport.prelude;
import static io.qbridge.eventstream.EventStreamTestSupport.randomChunkSizes;
import static io.qbridge.eventstream.EventStreamTestSupport.randomMessage;
import static io.qbridge.eventstream.EventStreamTestSupport.withSeed;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.qbridge.eventstream.EventStreamException.Kind;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Style guide 6(d): garbage and corrupted streams may only ever produce {@link EventStreamException}
 * (never an index, arithmetic or allocation error), never hang, and never make the decoder hold
 * more than {@link EventStreamDecoder#MAX_MESSAGE_BYTES}. Each loop runs under a preemptive timeout
 * so an infinite loop fails the test instead of stalling the build.
 */
class EventStreamFuzzTest {

  // Generous: the loops take a few seconds; the timeout exists to turn a hang into a failure.
  private static final Duration BUDGET = Duration.ofSeconds(60);

  /** What happened to one fuzzed input; failures other than EventStreamException propagate. */
  private record Outcome(Kind failure, int delivered) {}

  private static Outcome feedInChunks(Random random, Buffer input) {
    List<EventStreamMessage> out = new ArrayList<>();
    EventStreamDecoder decoder = new EventStreamDecoder(out::add);
    byte[] before = input.getBytes();
    int pos = 0;
    for (int size : randomChunkSizes(random, input.length(), 1 + random.nextInt(512))) {
      int end = Math.min(input.length(), pos + size);
      try {
        decoder.feed(input.slice(pos, end));
      } catch (EventStreamException e) {
        assertThat(e.getMessage()).startsWith(e.kind().name() + ": ");
        assertThatThrownBy(() -> decoder.feed(Buffer.buffer(new byte[1]))).isInstanceOf(IllegalStateException.class);
        assertThat(input.getBytes()).isEqualTo(before);
        return new Outcome(e.kind(), out.size());
      }
      // never more than the one frame being assembled, and never more than we were given
      // (a plain check: this runs for every chunk of every input, AssertJ would dominate the loop)
      int buffered = decoder.bufferedBytes();
      if (buffered > Math.min(end, EventStreamDecoder.MAX_MESSAGE_BYTES)) {
        throw new AssertionError("bufferedBytes " + buffered + " after " + end + " input bytes");
      }
      pos = end;
    }
    assertThat(input.getBytes()).isEqualTo(before);
    return new Outcome(null, out.size());
  }

  @Test
  void randomBytesOnlyRaiseEventStreamException() {
    assertTimeoutPreemptively(BUDGET, () -> withSeed("random bytes", random -> {
      for (int i = 0; i < 20_000; i++) {
        Buffer input = Buffer.buffer();
        if (random.nextInt(4) == 0) {
          // a CRC-valid prelude with random lengths gets garbage past the first check
          input.appendBuffer(prelude(random.nextInt(4) == 0 ? random.nextInt() & 0xffffffffL : random.nextInt(2048),
              random.nextInt(3) == 0 ? random.nextInt() & 0xffffffffL : random.nextInt(2048)));
        }
        byte[] garbage = new byte[random.nextInt(2048)];
        random.nextBytes(garbage);
        feedInChunks(random, input.appendBytes(garbage));
      }
    }));
  }

  @Test
  void corruptedValidStreamsOnlyRaiseEventStreamException() {
    assertTimeoutPreemptively(BUDGET, () -> withSeed("corrupted streams", random -> {
      Map<Kind, Integer> seen = new EnumMap<>(Kind.class);
      for (int i = 0; i < 3_000; i++) {
        Buffer stream = Buffer.buffer();
        int frames = 1 + random.nextInt(5);
        for (int f = 0; f < frames; f++) {
          stream.appendBuffer(EventStreamEncoder.encode(randomMessage(random, 512)));
        }
        byte[] bytes = stream.getBytes();
        for (int m = 1 + random.nextInt(3); m > 0; m--) {
          bytes = mutate(random, bytes);
        }
        Outcome o = feedInChunks(random, Buffer.buffer(bytes));
        if (o.failure() != null) {
          seen.merge(o.failure(), 1, Integer::sum);
        }
      }
      assertThat(seen).containsKeys(Kind.PRELUDE_CRC, Kind.MESSAGE_CRC);
    }));
  }

  /**
   * Corruption pushed past both CRC checks (the CRCs are recomputed), so the length checks and
   * the header parser see hostile input; either the frame decodes or the error is categorised.
   */
  @Test
  void corruptionBehindValidCrcsOnlyRaisesEventStreamException() {
    assertTimeoutPreemptively(BUDGET, () -> withSeed("corruption behind valid CRCs", random -> {
      Map<Kind, Integer> seen = new EnumMap<>(Kind.class);
      int decodedAnyway = 0;
      for (int i = 0; i < 10_000; i++) {
        EventStreamMessage m = randomMessage(random, 64);
        Buffer frame = EventStreamEncoder.encode(m);
        int headersLength = frame.getInt(4);
        switch (random.nextInt(3)) {
          case 0 -> { // damage the header block and re-CRC
            if (headersLength > 0) {
              for (int k = 1 + random.nextInt(3); k > 0; k--) {
                frame.setByte(12 + random.nextInt(headersLength), (byte) random.nextInt());
              }
            }
            fixCrcs(frame, 0, frame.length());
          }
          case 1 -> { // lie about headers_length (sometimes beyond the frame) and re-CRC
            frame.setInt(4, random.nextInt(frame.length()));
            fixCrcs(frame, 0, frame.length());
          }
          default -> { // a truncated or extended header block wrapped as a well-formed frame
            Buffer block = frame.getBuffer(12, 12 + headersLength);
            int cut = headersLength == 0 ? 0 : random.nextInt(headersLength + 1);
            Buffer raw = block.getBuffer(0, cut);
            byte[] tail = new byte[random.nextInt(4)];
            random.nextBytes(tail);
            frame = frameWithRawHeaders(raw.appendBytes(tail), m.payload());
          }
        }
        Outcome o = feedInChunks(random, frame);
        if (o.failure() != null) {
          seen.merge(o.failure(), 1, Integer::sum);
        } else {
          decodedAnyway += o.delivered();
        }
      }
      // the loop really reached the deep checks, not just the CRCs
      assertThat(seen).containsKeys(Kind.MALFORMED_HEADER, Kind.LENGTH_OUT_OF_BOUNDS);
      assertThat(decodedAnyway).isPositive();
    }));
  }

  private static byte[] mutate(Random r, byte[] in) {
    if (in.length == 0) {
      return in;
    }
    byte[] out;
    int at = r.nextInt(in.length);
    switch (r.nextInt(6)) {
      case 0 -> { // flip one bit
        out = in.clone();
        out[at] ^= (byte) (1 << r.nextInt(8));
      }
      case 1 -> { // overwrite a byte
        out = in.clone();
        out[at] = (byte) r.nextInt();
      }
      case 2 -> { // insert random bytes
        byte[] ins = new byte[1 + r.nextInt(16)];
        r.nextBytes(ins);
        out = new byte[in.length + ins.length];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(in, at, out, at + ins.length, in.length - at);
      }
      case 3 -> { // delete a range
        int n = Math.min(in.length - at, 1 + r.nextInt(16));
        out = new byte[in.length - n];
        System.arraycopy(in, 0, out, 0, at);
        System.arraycopy(in, at + n, out, at, in.length - at - n);
      }
      case 4 -> out = java.util.Arrays.copyOf(in, at); // truncate
      default -> { // duplicate a range (repeated frame pieces)
        int n = Math.min(in.length - at, 1 + r.nextInt(64));
        out = new byte[in.length + n];
        System.arraycopy(in, 0, out, 0, at + n);
        System.arraycopy(in, at, out, at + n, in.length - at);
      }
    }
    return out;
  }
}
