/**
 * The audit log: who changed what in the admin surface, and when. {@link io.qbridge.audit.AuditVerticle}
 * owns the {@code audit_log} table (its only user) and serves the {@code audit.*} bus addresses;
 * the HTTP side records and reads through {@link io.qbridge.audit.AuditClient}. Entries never hold
 * secret values: callers put field names and non-secret values in an {@link io.qbridge.audit.AuditEvent}.
 */
package io.qbridge.audit;
