package io.qbridge.api.responses.store;

import io.vertx.core.Future;

/**
 * Storage of Responses API responses, behind which SQLite today and PostgreSQL later sit. Only
 * {@link ResponseStoreVerticle} calls it; the policy (TTL, size caps, eviction order) lives there,
 * the store only keeps rows. Implementations run statements in submission order (a pool of one
 * connection), so a read that follows a write sees it.
 */
public interface ResponseStore {

  Future<Void> put(StoredResponse response);

  /** The row, or null when there is none (expiry is the caller's check). */
  Future<StoredResponse> get(String id);

  /** Bytes freed; 0 when there was no such row. */
  Future<Long> delete(String id);

  /** Deletes rows expired at {@code nowMillis}; bytes freed. */
  Future<Long> deleteExpired(long nowMillis);

  /**
   * Deletes the oldest rows, just enough of them to free {@code bytes} (looking at most at
   * {@code maxRows} rows); bytes freed, 0 when empty.
   */
  Future<Long> deleteOldest(long bytes, int maxRows);

  /** Total bytes of all rows, read once at start-up. */
  Future<Long> totalBytes();

  Future<Void> close();
}
