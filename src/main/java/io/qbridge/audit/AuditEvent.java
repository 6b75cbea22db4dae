package io.qbridge.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One admin action as the HTTP side saw it, before the audit log stamps it with an id and a time.
 *
 * @param actor     who: {@code session:<tag>} (a console session; the tag is a hash of its id, never
 *                  the id), {@code admin-key} (a script with ADMIN_KEY), {@code loopback} (dev mode),
 *                  {@code anonymous} (a failed sign-in)
 * @param address   the client address (as the sign-in lockout counts it)
 * @param action    e.g. {@code account.create}, {@code session.sign_in_failed} (see {@link AuditActions})
 * @param accountId the account concerned, nullable
 * @param outcome   {@code success} or {@code failure}
 * @param status    the HTTP status answered
 * @param fields    names of the fields the request changed (secret ones included, by name only)
 * @param values    new values of the non-secret fields among them
 */
public record AuditEvent(String actor, String address, String action, String accountId, String outcome, int status,
                         List<String> fields, JsonObject values) {

  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";

  public AuditEvent {
    fields = fields == null ? List.of() : List.copyOf(fields);
    values = values == null ? new JsonObject() : values.copy();
  }

  /** An event with no field changes; the outcome follows the status (below 400 = success). */
  public static AuditEvent of(String actor, String address, String action, String accountId, int status) {
    return new AuditEvent(actor, address, action, accountId, status < 400 ? SUCCESS : FAILURE, status, List.of(), null);
  }

  /** This event with the fields a request changed. */
  public AuditEvent withChanges(List<String> changedFields, JsonObject newValues) {
    return new AuditEvent(actor, address, action, accountId, outcome, status, changedFields, newValues);
  }

  /** The bus form ({@code audit.record} request). */
  public JsonObject toJson() {
    return new JsonObject().put("actor", actor).put("address", address).put("action", action)
        .put("accountId", accountId).put("outcome", outcome).put("status", status)
        .put("fields", new JsonArray(fields)).put("values", values);
  }
}
