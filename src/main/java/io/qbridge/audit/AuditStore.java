package io.qbridge.audit;

import io.vertx.core.Future;
import java.util.List;

/**
 * Persistence of the audit log ({@code audit_log} table). Futures complete on the caller's
 * context; failures carry the driver's message (for logs, not for API clients). Only the
 * {@link AuditVerticle} uses it.
 */
interface AuditStore {

  /** Stores one entry; fails on a duplicate id (see {@link AuditIds}). */
  Future<Void> insert(AuditEntry entry);

  /**
   * Newest first: up to {@code limit} entries with an id below {@code beforeId} (all when null),
   * of {@code accountId} only when it is not null.
   */
  Future<List<AuditEntry>> page(int limit, Long beforeId, String accountId);

  /** Deletes entries recorded before {@code cutoffMillis}; how many. */
  Future<Integer> deleteBefore(long cutoffMillis);

  Future<Void> close();
}
