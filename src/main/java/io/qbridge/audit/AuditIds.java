package io.qbridge.audit;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Entry ids: {@code millis × 10^6 + sequence × 10^3 + random}, a BIGINT that orders like time
 * (newest first is {@code ORDER BY id DESC}, the paging cursor is "ids below this one") and needs
 * no engine-specific auto-increment. Within one process entries of the same millisecond keep
 * their order (the sequence); instances sharing a database differ in the random part, and the rare
 * collision is a primary-key violation the writer retries with a new id. Fits a signed 64-bit
 * integer until the year 2262. Not thread-safe: one per audit verticle.
 */
final class AuditIds {
  private long lastMillis = -1;
  private int sequence;

  long next(long atMillis) {
    if (atMillis != lastMillis) {
      lastMillis = atMillis;
      sequence = 0;
    }
    int seq = Math.min(sequence++, 999);
    return atMillis * 1_000_000L + seq * 1_000L + ThreadLocalRandom.current().nextInt(1000);
  }
}
