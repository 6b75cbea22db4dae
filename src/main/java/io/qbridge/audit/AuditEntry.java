package io.qbridge.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A recorded {@link AuditEvent}: its id and time added by the audit log.
 *
 * @param id       unique, ordered like time (see {@link AuditIds}); the paging cursor
 * @param atMillis when it was recorded, epoch milliseconds
 */
public record AuditEntry(long id, long atMillis, AuditEvent event) {

  /**
   * The API form: {@code {id, time, actor, address, action, accountId, outcome, status, fields,
   * values}}; the id as a string (a JavaScript number cannot hold 64 bits), the time ISO-8601 UTC.
   */
  public JsonObject toJson() {
    return new JsonObject().put("id", Long.toString(id)).put("time", Instant.ofEpochMilli(atMillis).toString())
        .put("actor", event.actor()).put("address", event.address()).put("action", event.action())
        .put("accountId", event.accountId()).put("outcome", event.outcome()).put("status", event.status())
        .put("fields", new JsonArray(event.fields())).put("values", event.values());
  }

  /** The stored {@code changes} column: {@code {fields, values}}. */
  String changesJson() {
    return new JsonObject().put("fields", new JsonArray(event.fields())).put("values", event.values()).encode();
  }

  static AuditEvent event(String actor, String address, String action, String accountId, String outcome, int status,
      String changesJson) {
    JsonObject changes = changesJson == null || changesJson.isEmpty() ? new JsonObject() : new JsonObject(changesJson);
    List<String> fields = new ArrayList<>();
    JsonArray names = changes.getJsonArray("fields", new JsonArray());
    for (int i = 0; i < names.size(); i++) fields.add(String.valueOf(names.getValue(i)));
    return new AuditEvent(actor, address, action, accountId, outcome, status, fields,
        changes.getJsonObject("values", new JsonObject()));
  }
}
