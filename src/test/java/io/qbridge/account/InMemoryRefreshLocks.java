package io.qbridge.account;

import io.vertx.core.Future;
import java.util.concurrent.ConcurrentHashMap;

/** {@link RefreshLocks} in memory, shared by the refreshers of a test as a database would be. */
final class InMemoryRefreshLocks implements RefreshLocks {

  private record Lock(String owner, long untilMs) {}

  private final ConcurrentHashMap<String, Lock> locks = new ConcurrentHashMap<>();

  @Override
  public Future<Boolean> tryAcquire(String accountId, String owner, long nowMs, long untilMs) {
    Lock mine = new Lock(owner, untilMs);
    Lock result = locks.compute(accountId, (id, held) -> held == null || held.untilMs() <= nowMs ? mine : held);
    return Future.succeededFuture(result == mine);
  }

  @Override
  public Future<Void> release(String accountId, String owner) {
    locks.computeIfPresent(accountId, (id, held) -> held.owner().equals(owner) ? null : held);
    return Future.succeededFuture();
  }
}
