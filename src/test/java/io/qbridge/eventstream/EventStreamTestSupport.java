package io.qbridge.eventstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.zip.CRC32;

/** Shared fixtures for the event-stream tests: §12.2 vectors, chunking, random frames, seeds. */
final class EventStreamTestSupport {

  private EventStreamTestSupport() {}

  // Protocol doc §12.2, verbatim (spaces inside V5 are only for readability).
  static final String V1_HEX = "00000010 00000000 05c248eb 7d98c8ff";
  static final String V2_HEX = "0000007f0000005c7c7db5a80b3a6576656e742d74797065070016617373697374616e74526573706f6e73"
      + "654576656e740d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065"
      + "0700056576656e747b22636f6e74656e74223a2248656c6c6f227d9b5d0635";
  static final String V3_HEX = "000000b70000005242a03bb50b3a6576656e742d7479706507000c746f6f6c5573654576656e740d3a636f"
      + "6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226e"
      + "616d65223a226765745f77656174686572222c22746f6f6c5573654964223a22746f6f6c7573655f31222c22696e707574223a227b5c"
      + "22636974795c223a5c22506172222c2273746f70223a66616c73657da8b40da1";
  static final String V4_HEX = "00000090000000618e91a9b70f3a657863657074696f6e2d747970650700135468726f74746c696e674578"
      + "63657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065"
      + "070009657863657074696f6e7b226d657373616765223a22546f6f206d616e79207265717565737473227dfeb6d812";
  static final String V5_HEX = "00000037000000253d276fb8 04666c616700 036e756d040000002a "
      + "0d3a6d6573736167652d747970650700056576656e74 7b7d efe40069";

  static final String V3_PAYLOAD =
      "{\"name\":\"get_weather\",\"toolUseId\":\"tooluse_1\",\"input\":\"{\\\"city\\\":\\\"Par\",\"stop\":false}";

  static Buffer hex(String hex) {
    return Buffer.buffer(HexFormat.of().parseHex(hex.replaceAll("\\s+", "")));
  }

  static Buffer concat(Buffer... parts) {
    Buffer out = Buffer.buffer();
    for (Buffer p : parts) {
      out.appendBuffer(p);
    }
    return out;
  }

  static long crc32(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }

  /** A 12-byte prelude with arbitrary (possibly invalid) lengths but a correct prelude CRC. */
  static Buffer prelude(long totalLength, long headersLength) {
    Buffer b = Buffer.buffer().appendUnsignedInt(totalLength).appendUnsignedInt(headersLength);
    return b.appendUnsignedInt(crc32(b.getBytes()));
  }

  /** A frame around a raw (possibly malformed) header block, with both CRCs correct. */
  static Buffer frameWithRawHeaders(Buffer headerBlock, Buffer payload) {
    Buffer frame = prelude(16L + headerBlock.length() + payload.length(), headerBlock.length());
    frame.appendBuffer(headerBlock).appendBuffer(payload);
    return frame.appendUnsignedInt(crc32(frame.getBytes()));
  }

  /** Recomputes both CRCs of a frame in place (used to push corruption past the CRC checks). */
  static void fixCrcs(Buffer frame, int off, int length) {
    frame.setUnsignedInt(off + 8, crc32(frame.getBytes(off, off + 8)));
    frame.setUnsignedInt(off + length - 4, crc32(frame.getBytes(off, off + length - 4)));
  }

  // ---------------------------------------------------------------- chunked feeding

  /** Feeds {@code input} split at the given chunk sizes (the last chunk takes the rest). */
  static List<EventStreamMessage> feedChunks(Buffer input, List<Integer> chunkSizes) {
    List<EventStreamMessage> out = new ArrayList<>();
    EventStreamDecoder decoder = new EventStreamDecoder(out::add);
    byte[] before = input.getBytes();
    int pos = 0;
    for (int size : chunkSizes) {
      int end = Math.min(input.length(), pos + size);
      // slice() shares memory with the input: a decoder that wrote to its chunk would show below
      decoder.feed(input.slice(pos, end));
      assertThat(decoder.bufferedBytes()).isLessThanOrEqualTo(EventStreamDecoder.MAX_MESSAGE_BYTES);
      pos = end;
    }
    if (pos < input.length()) {
      decoder.feed(input.slice(pos, input.length()));
    }
    assertThat(decoder.isIdle()).as("decoder idle at end of input").isTrue();
    assertThat(decoder.bufferedBytes()).isZero();
    assertThat(input.getBytes()).as("input must not be mutated").isEqualTo(before);
    return out;
  }

  static List<EventStreamMessage> feedChunks(Buffer input, int chunkSize) {
    List<Integer> sizes = new ArrayList<>();
    for (int i = 0; i < input.length(); i += chunkSize) {
      sizes.add(chunkSize);
    }
    return feedChunks(input, sizes);
  }

  /**
   * Random chunk sizes covering {@code length} bytes: a mix of tiny, medium and large chunks and
   * the occasional empty one, so frames straddle boundaries in every position.
   */
  static List<Integer> randomChunkSizes(Random r, int length, int maxChunk) {
    List<Integer> sizes = new ArrayList<>();
    int total = 0;
    while (total < length) {
      int size = switch (r.nextInt(10)) {
        case 0 -> 0;
        case 1, 2, 3 -> 1 + r.nextInt(16);
        case 4, 5, 6 -> 1 + r.nextInt(Math.min(1024, maxChunk));
        default -> 1 + r.nextInt(maxChunk);
      };
      sizes.add(size);
      total += size;
    }
    return sizes;
  }

  // ---------------------------------------------------------------- random messages

  static EventStreamMessage randomMessage(Random r, int maxPayload) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>();
    int count = r.nextInt(8);
    for (int i = 0; i < count; i++) {
      headers.put(randomName(r), randomValue(r));
    }
    byte[] payload = new byte[r.nextInt(maxPayload + 1)];
    r.nextBytes(payload);
    return new EventStreamMessage(headers, Buffer.buffer(payload));
  }

  /** A header name of 1..255 UTF-8 bytes, sometimes the 255-byte maximum, sometimes non-ASCII. */
  static String randomName(Random r) {
    int maxBytes = switch (r.nextInt(10)) {
      case 0 -> 255;
      case 1 -> 1;
      default -> 1 + r.nextInt(30);
    };
    return randomString(r, maxBytes, r.nextInt(4) == 0, true);
  }

  static HeaderValue randomValue(Random r) {
    return switch (r.nextInt(10)) {
      case 0 -> new HeaderValue.BoolValue(true);
      case 1 -> new HeaderValue.BoolValue(false);
      case 2 -> new HeaderValue.ByteValue((byte) r.nextInt());
      case 3 -> new HeaderValue.ShortValue((short) r.nextInt());
      case 4 -> new HeaderValue.IntValue(r.nextInt());
      case 5 -> new HeaderValue.LongValue(r.nextLong());
      case 6 -> {
        byte[] b = new byte[r.nextInt(4) == 0 ? 0 : r.nextInt(300)];
        r.nextBytes(b);
        yield new HeaderValue.BytesValue(b);
      }
      case 7 -> new HeaderValue.StringValue(randomString(r, r.nextInt(400), r.nextBoolean(), false));
      case 8 -> new HeaderValue.TimestampValue(r.nextLong());
      default -> new HeaderValue.UuidValue(new UUID(r.nextLong(), r.nextLong()));
    };
  }

  /**
   * A string whose UTF-8 form has at most {@code maxBytes} bytes (exactly, when ASCII), using
   * only well-formed code points so that it survives the UTF-8 round-trip.
   */
  static String randomString(Random r, int maxBytes, boolean unicode, boolean nonEmpty) {
    StringBuilder sb = new StringBuilder();
    int bytes = 0;
    while (bytes < maxBytes) {
      int cp;
      if (!unicode) {
        cp = 0x21 + r.nextInt(0x7e - 0x21 + 1);
      } else {
        cp = switch (r.nextInt(4)) {
          case 0 -> 0x20 + r.nextInt(0x5f);
          case 1 -> 0xa0 + r.nextInt(0x7ff - 0xa0);
          case 2 -> 0x800 + r.nextInt(0xd7ff - 0x800); // below the surrogate range
          default -> 0x10000 + r.nextInt(0x1ffff - 0x10000);
        };
      }
      int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
      if (bytes + n > maxBytes) {
        if (bytes == 0 && nonEmpty) {
          continue;
        }
        break;
      }
      sb.appendCodePoint(cp);
      bytes += n;
    }
    return sb.toString();
  }

  /** Equality including header order, with a readable failure. */
  static void assertSameMessages(List<EventStreamMessage> actual, List<EventStreamMessage> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      EventStreamMessage a = actual.get(i);
      EventStreamMessage e = expected.get(i);
      assertThat(List.copyOf(a.headers().keySet())).as("header names of message %d", i)
          .isEqualTo(List.copyOf(e.headers().keySet()));
      assertThat(a.headers()).as("headers of message %d", i).isEqualTo(e.headers());
      assertThat(a.payload().getBytes()).as("payload of message %d", i).isEqualTo(e.payload().getBytes());
    }
  }

  // ---------------------------------------------------------------- seeds

  /** The seed for a randomized test: {@code -Deventstream.seed=N} reproduces a failed run. */
  static long seed() {
    Long fixed = Long.getLong("eventstream.seed");
    return fixed != null ? fixed : new SecureRandom().nextLong();
  }

  interface SeededBody {
    void run(Random random) throws Exception;
  }

  /** Runs {@code body} with a seeded Random; any failure is rethrown with the seed in its message. */
  static void withSeed(String what, SeededBody body) {
    long seed = seed();
    try {
      body.run(new Random(seed));
    } catch (Throwable t) {
      String msg = what + " failed with seed " + seed + " (rerun with -Deventstream.seed=" + seed + ")";
      System.err.println(msg);
      throw new AssertionError(msg + ": " + t, t);
    }
  }
}
