package io.qbridge.audit;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit log's owner: the only user of the {@code audit_log} table. Serves
 * {@link Addresses#AUDIT_RECORD} (stamps an id and the time, stores, replies once stored) and
 * {@link Addresses#AUDIT_LIST}; deletes entries older than AUDIT_RETENTION_DAYS at start and every
 * {@link #PRUNE_INTERVAL_MS}. Deploy one instance per process (ids are ordered per instance; see
 * {@link AuditIds}). Time and timers come from the injected {@link Timekeeper}.
 */
public final class AuditVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuditVerticle.class);

  public static final long PRUNE_INTERVAL_MS = Duration.ofHours(1).toMillis();
  /** Longest page of {@code audit.list}. */
  public static final int MAX_LIMIT = 500;
  static final int MAX_TEXT = 200;
  static final int MAX_VALUES_CHARS = 4096;

  /** @param databaseUrl DATABASE_URL (the account database) @param retentionDays AUDIT_RETENTION_DAYS */
  public record Settings(String databaseUrl, int retentionDays) {}

  private final Settings settings;
  private final Function<Vertx, Timekeeper> timekeeper;
  private final AuditIds ids = new AuditIds();
  private Timekeeper time;
  private AuditStore store;
  private long pruneTimer = -1;

  public AuditVerticle(Settings settings, Function<Vertx, Timekeeper> timekeeper) {
    this.settings = settings;
    this.timekeeper = timekeeper;
  }

  @Override
  public Future<?> start() {
    time = timekeeper.apply(vertx);
    return SqlAuditStore.open(vertx, settings.databaseUrl())
        .recover(err -> Future.failedFuture(new IllegalStateException("Cannot open the audit log in the account database: "
            + err.getMessage(), err)))
        .compose(s -> {
          store = s;
          return prune();
        })
        .compose(v -> Future.all(
            Bus.consume(vertx, Addresses.AUDIT_RECORD, this::record),
            Bus.consume(vertx, Addresses.AUDIT_LIST, this::list)))
        .onSuccess(v -> pruneTimer = time.setPeriodic(PRUNE_INTERVAL_MS, id -> prune()));
  }

  @Override
  public Future<?> stop() {
    if (pruneTimer >= 0) time.cancel(pruneTimer);
    return store == null ? Future.succeededFuture() : store.close();
  }

  private Future<JsonObject> record(JsonObject body) {
    AuditEvent event = parse(body);
    long now = time.now().toEpochMilli();
    AuditEntry first = new AuditEntry(ids.next(now), now, event);
    return store.insert(first).map(first)
        // the one expected failure is an id taken by another instance in the same millisecond
        .recover(err -> {
          AuditEntry second = new AuditEntry(ids.next(now), now, event);
          return store.insert(second).map(second);
        })
        .map(entry -> {
          LOG.info("audit: {} {} by {} from {}{} ({})", event.action(), event.outcome(), event.actor(), event.address(),
              event.accountId() == null ? "" : " account " + event.accountId(), String.join(",", event.fields()));
          return new JsonObject().put("id", Long.toString(entry.id()));
        })
        .recover(err -> Future.failedFuture(storeFailure("record", err)));
  }

  private Future<JsonObject> list(JsonObject body) {
    int limit = body.getValue("limit") instanceof Number n ? Math.max(1, Math.min(MAX_LIMIT, n.intValue())) : 50;
    Long before = body.getValue("before") instanceof Number n ? n.longValue() : null;
    String accountId = body.getValue("accountId") instanceof String s && !s.isEmpty() ? s : null;
    return store.page(limit + 1, before, accountId).map(rows -> {
      JsonArray entries = new JsonArray();
      rows.stream().limit(limit).forEach(e -> entries.add(e.toJson()));
      String next = rows.size() > limit ? Long.toString(rows.get(limit - 1).id()) : null;
      return new JsonObject().put("entries", entries).put("nextBefore", next);
    }).recover(err -> Future.failedFuture(storeFailure("list", err)));
  }

  private Future<Void> prune() {
    long cutoff = time.now().minus(Duration.ofDays(settings.retentionDays())).toEpochMilli();
    return store.deleteBefore(cutoff).<Void>map(n -> {
      if (n > 0) LOG.info("audit: {} entries older than {} days deleted", n, settings.retentionDays());
      return null;
    }).recover(err -> {
      LOG.warn("audit: pruning old entries failed: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }

  private static BusError storeFailure(String op, Throwable err) {
    LOG.warn("audit: {} failed: {}", op, err.getMessage());
    return new BusError(BusFailure.STORE_UNAVAILABLE, "Audit log unavailable");
  }

  /** The event of an {@code audit.record} request; BAD_REQUEST naming the field when malformed. */
  static AuditEvent parse(JsonObject body) {
    String action = text(body, "action", true);
    String outcome = text(body, "outcome", true);
    if (!outcome.equals(AuditEvent.SUCCESS) && !outcome.equals(AuditEvent.FAILURE)) {
      throw new BusError(BusFailure.BAD_REQUEST, "outcome must be success or failure");
    }
    if (!(body.getValue("status") instanceof Number status)) {
      throw new BusError(BusFailure.BAD_REQUEST, "status must be a number");
    }
    List<String> fields = new ArrayList<>();
    if (body.getValue("fields") instanceof JsonArray names) names.forEach(n -> fields.add(bounded(String.valueOf(n))));
    JsonObject values = body.getValue("values") instanceof JsonObject v ? v : new JsonObject();
    if (values.encode().length() > MAX_VALUES_CHARS) values = new JsonObject().put("_omitted", "values over 4 KiB");
    return new AuditEvent(text(body, "actor", true), text(body, "address", false), action, text(body, "accountId", false),
        outcome, status.intValue(), fields, values);
  }

  private static String text(JsonObject body, String field, boolean required) {
    Object v = body.getValue(field);
    if (v == null && !required) return null;
    if (!(v instanceof String s) || s.isEmpty()) throw new BusError(BusFailure.BAD_REQUEST, field + " must be a non-empty string");
    return bounded(s);
  }

  private static String bounded(String s) {
    return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT);
  }
}
