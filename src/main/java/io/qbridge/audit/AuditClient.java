package io.qbridge.audit;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Typed client of the audit log ({@code audit.*}, served by {@link AuditVerticle}). Thread-safe.
 *
 * <p>{@link #record} never fails its caller: the admin action it describes has already happened,
 * so an entry the log could not store is a logged warning naming the action, never an error for
 * the admin. It waits for the store's answer (request/reply, not a one-way send), so a lost entry
 * is always visible in the log.
 */
public final class AuditClient {
  private static final Logger LOG = LoggerFactory.getLogger(AuditClient.class);
  static final long TIMEOUT_MS = 15_000;
  private static final String SERVICE = "Audit log";

  private final EventBus bus;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);

  public AuditClient(Vertx vertx) {
    this.bus = vertx.eventBus();
  }

  /** Records the event; completes (never fails) once stored or once the failure is logged. */
  public Future<Void> record(AuditEvent event) {
    return Bus.<JsonObject>request(bus, Addresses.AUDIT_RECORD, event.toJson(), options, SERVICE)
        .<Void>mapEmpty()
        .recover(err -> {
          LOG.warn("audit: entry NOT recorded: {} {} by {} from {}{}: {}", event.action(), event.outcome(), event.actor(),
              event.address(), event.accountId() == null ? "" : " account " + event.accountId(), err.getMessage());
          return Future.succeededFuture();
        });
  }

  /**
   * A page, newest first: {@code {entries, nextBefore}}. Failures are {@code GatewayException}s from
   * the bus failure table.
   */
  public Future<JsonObject> list(int limit, Long before, String accountId) {
    JsonObject request = new JsonObject().put("limit", limit);
    if (before != null) request.put("before", before);
    if (accountId != null) request.put("accountId", accountId);
    return Bus.<JsonObject>request(bus, Addresses.AUDIT_LIST, request, options, SERVICE)
        .recover(err -> Future.failedFuture(((BusError) err).toGatewayException()));
  }
}
