package io.qbridge.upstream;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link DeviceLoginStore} in memory, with the same conditional semantics as the database one;
 * one instance shared by several {@link DeviceLogins} stands for a database shared by instances.
 * Thread-safe.
 */
final class InMemoryDeviceLoginStore implements DeviceLoginStore {

  private final ConcurrentHashMap<String, Row> rows = new ConcurrentHashMap<>();

  @Override
  public Future<Void> insert(Row row) {
    rows.put(row.authId(), row);
    return Future.succeededFuture();
  }

  @Override
  public Future<Optional<Row>> find(String authId) {
    return Future.succeededFuture(Optional.ofNullable(rows.get(authId)));
  }

  @Override
  public Future<Integer> countPending(long nowMs) {
    return Future.succeededFuture((int) rows.values().stream()
        .filter(r -> "pending".equals(r.status()) && r.expiresAtMs() > nowMs).count());
  }

  @Override
  public synchronized Future<Boolean> settle(String authId, String poller, String status, String error, JsonObject account,
      long nowMs) {
    Row r = rows.get(authId);
    if (r == null || !"pending".equals(r.status()) || !poller.equals(r.poller())) return Future.succeededFuture(false);
    rows.put(authId, new Row(r.authId(), r.label(), r.enabled(), null, null, null, r.intervalMs(), r.expiresAtMs(),
        status, error, account, r.poller(), r.pollUntilMs(), nowMs));
    return Future.succeededFuture(true);
  }

  @Override
  public synchronized Future<Void> renew(String poller, long untilMs) {
    rows.replaceAll((id, r) -> "pending".equals(r.status()) && poller.equals(r.poller()) ? withPoller(r, poller, untilMs) : r);
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<List<Row>> adopt(String poller, long nowMs, long untilMs) {
    List<Row> adopted = new ArrayList<>();
    rows.replaceAll((id, r) -> {
      if (!"pending".equals(r.status()) || r.pollUntilMs() > nowMs || r.expiresAtMs() <= nowMs) return r;
      Row taken = withPoller(r, poller, untilMs);
      adopted.add(taken);
      return taken;
    });
    return Future.succeededFuture(adopted);
  }

  @Override
  public synchronized Future<Void> abandon(String poller) {
    rows.replaceAll((id, r) -> "pending".equals(r.status()) && poller.equals(r.poller()) ? withPoller(r, poller, 0) : r);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> deleteFinishedBefore(long cutoffMs) {
    rows.values().removeIf(r -> "pending".equals(r.status()) ? r.expiresAtMs() < cutoffMs : r.settledAtMs() < cutoffMs);
    return Future.succeededFuture();
  }

  private static Row withPoller(Row r, String poller, long untilMs) {
    return new Row(r.authId(), r.label(), r.enabled(), r.clientId(), r.clientSecret(), r.deviceCode(), r.intervalMs(),
        r.expiresAtMs(), r.status(), r.error(), r.account(), poller, untilMs, r.settledAtMs());
  }
}
