package io.qbridge.ids;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers made per request (request ids, message ids, lease ids, Amazon Q's invocation,
 * conversation and message ids): unique, not secret. {@link java.util.UUID#randomUUID()} draws them
 * from the process-wide {@code SecureRandom} (a lock shared by every event loop, SHA-1 mixing,
 * reads of {@code /dev/urandom}), a visible share of each request's CPU for values nobody has to
 * guess. Console sessions, device logins and anything else an attacker must not predict keep using
 * {@code SecureRandom}.
 */
public final class RandomIds {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private RandomIds() {}

  /** A random (version 4, IETF variant) UUID in its 36-character text form. */
  public static String uuid() {
    char[] out = new char[36];
    write(out, true);
    return new String(out);
  }

  /** The same 128 bits as 32 lowercase hex digits, no dashes (for {@code msg_…}, {@code req_…}). */
  public static String hex32() {
    char[] out = new char[32];
    write(out, false);
    return new String(out);
  }

  private static void write(char[] out, boolean dashes) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long hi = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
    long lo = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // variant 10
    int at = 0;
    for (int i = 0; i < 32; i++) {
      if (dashes && (i == 8 || i == 12 || i == 16 || i == 20)) out[at++] = '-';
      long word = i < 16 ? hi : lo;
      int shift = 60 - 4 * (i % 16);
      out[at++] = HEX[(int) (word >>> shift) & 0xF];
    }
  }
}
