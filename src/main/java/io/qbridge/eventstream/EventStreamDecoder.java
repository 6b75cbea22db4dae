package io.qbridge.eventstream;

import io.qbridge.eventstream.EventStreamException.Kind;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Incremental decoder for the AWS event-stream framing (protocol doc §3.1–3.2): feed it the
 * response body chunk by chunk, in order, and it calls {@code onMessage} once per complete frame.
 *
 * <pre>
 * offset  size  field
 * 0       4     total_length   uint32, whole frame incl. prelude and trailing CRC (16 .. MAX_MESSAGE_BYTES)
 * 4       4     headers_length uint32, byte length of the header block (0 .. total_length - 16)
 * 8       4     prelude_crc    CRC32 of bytes [0, 8)
 * 12      H     headers        repeated: name_len(1) name(1..255) type(1) value(per type)
 * 12+H    P     payload        P = total_length - H - 16
 * T-4     4     message_crc    CRC32 of bytes [0, T-4)
 * </pre>
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #feed(Buffer)} calls the handler synchronously, on the caller's thread, for every
 *       frame completed by that chunk, in wire order. Chunk boundaries are arbitrary: a frame may
 *       span any number of chunks and a chunk may hold any number of frames.</li>
 *   <li>Validation happens before buffering: as soon as the 12-byte prelude is available its CRC
 *       and lengths are checked, so a corrupt or oversized prelude fails at once instead of making
 *       the decoder wait for (and hold) a body that may never be valid. Then the message CRC is
 *       checked, then the header block is parsed; only a fully valid frame is delivered.</li>
 *   <li>The first framing error is thrown from {@code feed} as an {@link EventStreamException}
 *       (one of its {@link Kind}s). There is no resynchronisation: a byte stream that lost
 *       framing cannot be trusted, so the decoder is then dead and any further {@code feed}
 *       throws {@link IllegalStateException}. An exception thrown by {@code onMessage} propagates
 *       out of {@code feed} and kills the decoder the same way, because the rest of that chunk
 *       was not consumed.</li>
 *   <li>Incoming buffers are never modified and never retained after {@code feed} returns; each
 *       message gets a private copy of its payload.</li>
 *   <li>Memory: only the unfinished tail of the stream is held, i.e. at most one frame
 *       ({@link #MAX_MESSAGE_BYTES}); complete frames inside a chunk are decoded in place.</li>
 *   <li>Re-entrancy: a handler may call {@code feed} again; that chunk is queued (copied) and
 *       decoded after the current one, so order is preserved. A framing error found in a queued
 *       chunk is thrown from the outermost {@code feed}.</li>
 * </ul>
 *
 * <p>Not thread-safe: use one instance per stream, confined to the event loop (context) that
 * reads that stream. No {@code Vertx} instance is needed; the class does no I/O.
 */
public final class EventStreamDecoder {

  /**
   * Largest accepted {@code total_length}: 16 MiB for the whole frame (prelude, headers, payload
   * and CRC). Amazon Q frames are small JSON events; the 16 MiB bound is the one the peers that
   * verify framing (kiro.rs, kiro2api) use for frames and buffers, per protocol doc §3.1/§11.
   * (aws-eventstream-java allows 24 MiB payload + 128 KiB headers; nothing Q sends comes near
   * either bound, and the smaller one caps what a misbehaving upstream can make us hold.)
   */
  public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  static final int PRELUDE_LENGTH = 12;   // total_length(4) + headers_length(4) + prelude_crc(4)
  static final int MIN_MESSAGE_BYTES = 16; // prelude(12) + message_crc(4), no headers, no payload
  private static final int CRC_LENGTH = 4;
  private static final int UUID_LENGTH = 16;
  // Bound on the up-front allocation for a partial frame; larger frames grow the buffer as bytes come.
  private static final int PREALLOCATE_LIMIT = 64 * 1024;

  private final Handler<EventStreamMessage> onMessage;
  // CRC32 is reused and bytes are streamed through a small scratch array: Buffer has no public
  // way to expose its memory, and copying a whole frame per CRC would double the garbage. The
  // scratch is the thread's (a decoder lives per response, and 8 KiB per response was a twentieth
  // of qbridge's allocation); a checksum runs to its end without calling out, so one per thread is enough.
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[8 * 1024]);
  private final CRC32 crc = new CRC32();

  /** The start of the frame that is not complete yet; null when idle. Owned by the decoder. */
  private Buffer partial;
  /** total_length of {@link #partial} once its prelude was validated, else -1. */
  private int partialFrameLength = -1;

  /** Re-entrancy guard: true while {@link #feed} is decoding (and thus maybe inside onMessage). */
  private boolean decoding;
  /** Chunks fed from inside onMessage, decoded after the current chunk. */
  private final ArrayDeque<Buffer> reentrantChunks = new ArrayDeque<>();
  private int reentrantBytes;
  /** The error that killed the decoder, or null while it is alive. */
  private Throwable failure;

  /**
   * @param onMessage called synchronously from {@link #feed(Buffer)} once per complete, valid frame
   */
  public EventStreamDecoder(Handler<EventStreamMessage> onMessage) {
    this.onMessage = Objects.requireNonNull(onMessage, "onMessage");
  }

  /**
   * Feeds the next chunk; calls onMessage for every complete frame, in order, synchronously.
   * Throws EventStreamException on the first framing error; after an error the decoder is dead
   * (further feed() throws IllegalStateException).
   *
   * @param chunk the next bytes of the stream; not modified and not retained after return
   * @throws EventStreamException on the first framing error
   * @throws IllegalStateException if an earlier call failed
   */
  public void feed(Buffer chunk) {
    Objects.requireNonNull(chunk, "chunk");
    if (failure != null) {
      throw new IllegalStateException("event-stream decoder is dead after an earlier failure: " + failure.getMessage(), failure);
    }
    if (decoding) {
      // Called from onMessage: the outer feed() still owns the parse position in its chunk, so
      // queue a copy (the caller may reuse its buffer once we return) and decode it afterwards.
      if (chunk.length() > 0) {
        reentrantChunks.addLast(chunk.copy());
        reentrantBytes += chunk.length();
      }
      return;
    }
    decoding = true;
    try {
      decode(chunk);
      Buffer next;
      while ((next = reentrantChunks.pollFirst()) != null) {
        reentrantBytes -= next.length();
        decode(next);
      }
    } catch (Throwable t) {
      failure = t;
      partial = null;
      partialFrameLength = -1;
      reentrantChunks.clear();
      reentrantBytes = 0;
      throw t;
    } finally {
      decoding = false;
    }
  }

  /** Bytes currently held waiting for the rest of a frame (for tests/metrics). */
  public int bufferedBytes() {
    return (partial == null ? 0 : partial.length()) + reentrantBytes;
  }

  /**
   * True when no partial frame is pending (used at EOF to detect a cut mid-frame). Meaningful
   * between {@code feed} calls; a dead decoder reports idle since it holds nothing.
   */
  public boolean isIdle() {
    return partial == null && reentrantChunks.isEmpty();
  }

  /** Decodes one chunk: first finishes the pending frame, then frames in place, then keeps the tail. */
  private void decode(Buffer chunk) {
    final int end = chunk.length();
    int pos = 0;
    if (partial != null) {
      pos = completePartial(chunk);
      if (partial != null) {
        return; // whole chunk absorbed, frame still incomplete
      }
    }
    // Frames wholly inside the chunk are decoded straight from it: no accumulation copy.
    while (end - pos >= PRELUDE_LENGTH) {
      int frameLength = checkPrelude(chunk, pos);
      if (end - pos < frameLength) {
        startPartial(chunk, pos, end, frameLength);
        return;
      }
      deliver(chunk, pos, frameLength);
      pos += frameLength; // frameLength >= 16, so every iteration makes progress
    }
    if (pos < end) {
      startPartial(chunk, pos, end, -1);
    }
  }

  /**
   * Appends to {@link #partial} only the bytes it still needs (prelude first, then the rest of the
   * frame), delivers it when complete, and returns the chunk offset just past the bytes used.
   */
  private int completePartial(Buffer chunk) {
    final int end = chunk.length();
    int pos = 0;
    while (pos < end) {
      int target = partialFrameLength < 0 ? PRELUDE_LENGTH : partialFrameLength;
      int n = Math.min(target - partial.length(), end - pos);
      partial.appendBuffer(chunk, pos, n);
      pos += n;
      if (partial.length() < target) {
        break;
      }
      if (partialFrameLength < 0) {
        // Prelude just completed: validate before accepting a single body byte.
        partialFrameLength = checkPrelude(partial, 0);
        // the 12-byte buffer would otherwise regrow in small steps while the body streams in
        partial = Buffer.buffer(Math.min(partialFrameLength, PREALLOCATE_LIMIT)).appendBuffer(partial);
      } else {
        Buffer frame = partial;
        int frameLength = partialFrameLength;
        partial = null; // idle before the handler runs, so it observes a consistent decoder
        partialFrameLength = -1;
        deliver(frame, 0, frameLength);
        break;
      }
    }
    return pos;
  }

  /** Copies the unfinished tail {@code chunk[from, end)} into a new decoder-owned buffer. */
  private void startPartial(Buffer chunk, int from, int end, int frameLength) {
    int expected = frameLength < 0 ? PRELUDE_LENGTH : frameLength;
    partial = Buffer.buffer(Math.min(Math.max(expected, end - from), PREALLOCATE_LIMIT));
    partial.appendBuffer(chunk, from, end - from);
    partialFrameLength = frameLength;
  }

  /**
   * Validates the 12-byte prelude at {@code off}: CRC first (so a corrupted length is reported
   * as corruption, not as a bogus size), then the length bounds. Returns total_length.
   */
  private int checkPrelude(Buffer buf, int off) {
    long totalLength = buf.getUnsignedInt(off);
    long headersLength = buf.getUnsignedInt(off + 4);
    long expected = buf.getUnsignedInt(off + 8);
    long computed = checksum(buf, off, off + 8);
    if (expected != computed) {
      throw new EventStreamException(Kind.PRELUDE_CRC, String.format(
          "prelude CRC expected 0x%08X, computed 0x%08X", expected, computed));
    }
    if (totalLength < MIN_MESSAGE_BYTES || totalLength > MAX_MESSAGE_BYTES) {
      throw new EventStreamException(Kind.LENGTH_OUT_OF_BOUNDS, String.format(
          "total_length %d outside [%d, %d]", totalLength, MIN_MESSAGE_BYTES, MAX_MESSAGE_BYTES));
    }
    if (headersLength > totalLength - MIN_MESSAGE_BYTES) {
      throw new EventStreamException(Kind.LENGTH_OUT_OF_BOUNDS, String.format(
          "headers_length %d exceeds total_length %d - %d", headersLength, totalLength, MIN_MESSAGE_BYTES));
    }
    return (int) totalLength;
  }

  /** Verifies the message CRC of the complete frame at {@code buf[off, off+frameLength)} and emits it. */
  private void deliver(Buffer buf, int off, int frameLength) {
    int crcOffset = off + frameLength - CRC_LENGTH;
    long expected = buf.getUnsignedInt(crcOffset);
    long computed = checksum(buf, off, crcOffset);
    if (expected != computed) {
      throw new EventStreamException(Kind.MESSAGE_CRC, String.format(
          "message CRC expected 0x%08X, computed 0x%08X", expected, computed));
    }
    int headersStart = off + PRELUDE_LENGTH;
    int headersEnd = headersStart + buf.getInt(off + 4); // bounded by checkPrelude
    Map<String, HeaderValue> headers = Collections.unmodifiableMap(parseHeaders(buf, headersStart, headersEnd));
    Buffer payload = buf.getBuffer(headersEnd, crcOffset); // getBuffer copies: the message owns it
    onMessage.handle(new EventStreamMessage(headers, payload));
  }

  /** Parses the header block {@code buf[start, end)}; duplicate names: the last value wins. */
  private static Map<String, HeaderValue> parseHeaders(Buffer buf, int start, int end) {
    Map<String, HeaderValue> headers = new LinkedHashMap<>(8); // Amazon Q sends three
    int p = start;
    while (p < end) {
      int at = p - start; // offset inside the block, for error messages
      int nameLength = buf.getUnsignedByte(p++);
      if (nameLength == 0) {
        throw malformed("header name length 0 at block offset %d", at);
      }
      if (nameLength > end - p) {
        throw malformed("header name (%d bytes) at block offset %d overruns the header block", nameLength, at);
      }
      String name = utf8(buf, p, p + nameLength);
      p += nameLength;
      if (p >= end) {
        throw malformed("header '%s' has no value type byte", name);
      }
      int type = buf.getUnsignedByte(p++);
      HeaderValue value;
      switch (type) {
        case 0 -> value = new HeaderValue.BoolValue(true);
        case 1 -> value = new HeaderValue.BoolValue(false);
        case 2 -> {
          need(name, type, 1, p, end);
          value = new HeaderValue.ByteValue(buf.getByte(p));
          p += 1;
        }
        case 3 -> {
          need(name, type, 2, p, end);
          value = new HeaderValue.ShortValue(buf.getShort(p));
          p += 2;
        }
        case 4 -> {
          need(name, type, 4, p, end);
          value = new HeaderValue.IntValue(buf.getInt(p));
          p += 4;
        }
        case 5 -> {
          need(name, type, 8, p, end);
          value = new HeaderValue.LongValue(buf.getLong(p));
          p += 8;
        }
        case 6, 7 -> {
          need(name, type, 2, p, end);
          int length = buf.getUnsignedShort(p);
          p += 2;
          need(name, type, length, p, end);
          value = type == 6
              ? new HeaderValue.BytesValue(buf.getBytes(p, p + length))
              : new HeaderValue.StringValue(utf8(buf, p, p + length));
          p += length;
        }
        case 8 -> {
          need(name, type, 8, p, end);
          value = new HeaderValue.TimestampValue(buf.getLong(p));
          p += 8;
        }
        case 9 -> {
          need(name, type, UUID_LENGTH, p, end);
          value = new HeaderValue.UuidValue(new UUID(buf.getLong(p), buf.getLong(p + 8)));
          p += UUID_LENGTH;
        }
        default -> throw malformed("header '%s' has unknown value type %d", name, type);
      }
      headers.put(name, value);
    }
    return headers;
  }

  private static void need(String name, int type, int length, int p, int end) {
    if (length > end - p) {
      throw malformed("header '%s' value of type %d needs %d bytes, %d left in the header block",
          name, type, length, end - p);
    }
  }

  private static EventStreamException malformed(String format, Object... args) {
    return new EventStreamException(Kind.MALFORMED_HEADER, String.format(format, args));
  }

  /**
   * The header names and values every Amazon Q frame repeats (three headers per frame, a frame per
   * text fragment), handed out as these very strings instead of decoding new ones each time.
   */
  private static final byte[][] KNOWN_BYTES;
  private static final String[] KNOWN = {
      EventStreamMessage.MESSAGE_TYPE, EventStreamMessage.EVENT_TYPE, EventStreamMessage.CONTENT_TYPE,
      EventStreamMessage.EXCEPTION_TYPE, EventStreamMessage.ERROR_CODE, EventStreamMessage.ERROR_MESSAGE,
      "event", "exception", "error", "application/json", "assistantResponseEvent", "toolUseEvent",
      "contextUsageEvent", "metadataEvent", "meteringEvent", "messageMetadataEvent"};

  static {
    KNOWN_BYTES = new byte[KNOWN.length][];
    for (int i = 0; i < KNOWN.length; i++) KNOWN_BYTES[i] = KNOWN[i].getBytes(StandardCharsets.UTF_8);
  }

  private static String utf8(Buffer buf, int start, int end) {
    int length = end - start;
    for (int i = 0; i < KNOWN_BYTES.length; i++) {
      if (KNOWN_BYTES[i].length == length && sameBytes(buf, start, KNOWN_BYTES[i])) return KNOWN[i];
    }
    return new String(buf.getBytes(start, end), StandardCharsets.UTF_8);
  }

  private static boolean sameBytes(Buffer buf, int start, byte[] expected) {
    for (int i = 0; i < expected.length; i++) {
      if (buf.getByte(start + i) != expected[i]) return false;
    }
    return true;
  }

  /** CRC32 of {@code buf[start, end)} streamed through the thread's scratch array. */
  private long checksum(Buffer buf, int start, int end) {
    return crc32(crc, SCRATCH.get(), buf, start, end);
  }

  /** CRC32 (IEEE 802.3, as zlib) of {@code buf[start, end)}; exposed for the check-value test. */
  static long crc32(Buffer buf, int start, int end) {
    return crc32(new CRC32(), new byte[Math.min(8 * 1024, Math.max(0, end - start))], buf, start, end);
  }

  private static long crc32(CRC32 crc, byte[] scratch, Buffer buf, int start, int end) {
    crc.reset();
    for (int p = start; p < end; ) {
      int n = Math.min(scratch.length, end - p);
      buf.getBytes(p, p + n, scratch, 0);
      crc.update(scratch, 0, n);
      p += n;
    }
    return crc.getValue();
  }
}
