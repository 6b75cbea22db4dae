package io.qbridge.account;

import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Account administration: create, list, read, patch, delete, forced refresh, health. Answers in the
 * admin JSON of {@link AccountJson} (no secrets); keeps the {@link LeaseBook}'s holds in line with
 * admin changes (re-enabling lifts a hold, deleting forgets it). Not thread-safe: owned by the pool
 * verticle's event loop.
 */
final class AccountAdmin {

  private final AccountStore store;
  private final LeaseBook book;
  private final TokenRefresher refresher;
  private final Timekeeper time;

  AccountAdmin(AccountStore store, LeaseBook book, TokenRefresher refresher, Timekeeper time) {
    this.store = store;
    this.book = book;
    this.refresher = refresher;
    this.time = time;
  }

  Future<JsonObject> create(JsonObject body) {
    Account account = AccountRequests.parseCreate(body, UUID.randomUUID().toString(), time.now());
    return store.insert(account).map(a -> AccountJson.toAdminJson(a, time.now()));
  }

  /** The admin list, each row with {@code inFlight}: its live leases now (the console shows them). */
  Future<JsonArray> list() {
    return store.findAll().map(accounts -> {
      JsonArray rows = AccountJson.toAdminJson(accounts, time.now());
      rows.forEach(row -> ((JsonObject) row).put("inFlight", book.inFlight(((JsonObject) row).getString("id"))));
      return rows;
    });
  }

  Future<JsonObject> get(String id) {
    return store.findById(id).map(found -> AccountJson.toAdminJson(found.orElseThrow(AccountRequests::notFound), time.now()));
  }

  Future<JsonObject> update(String id, AccountPatch patch) {
    return store.update(id, patch).map(found -> {
      Account account = found.orElseThrow(AccountRequests::notFound);
      book.syncHold(account, time.now());
      return AccountJson.toAdminJson(account, time.now());
    });
  }

  Future<JsonObject> delete(String id) {
    return store.delete(id).map(deleted -> {
      if (!deleted) throw AccountRequests.notFound();
      book.forget(id);
      return new JsonObject().put("deleted", true).put("id", id);
    });
  }

  /** Refreshes one account's token now (joining one already running); failures carry the operator detail. */
  Future<JsonObject> refresh(String id) {
    return store.findById(id)
        .compose(found -> found.isEmpty() ? Future.<Account>failedFuture(AccountRequests.notFound())
            : refresher.forceForAdmin(id))
        .compose(refreshed -> get(id));
  }

  Future<JsonObject> health() {
    return store.ping().compose(v -> store.countEnabled()).transform(ar -> Future.succeededFuture(new JsonObject()
        .put("db", ar.succeeded())
        .put("enabledAccounts", ar.succeeded() ? ar.result() : 0)
        .put("activeLeases", book.size())));
  }

  /** Holds persisted by an earlier run (or another instance) come back into memory. */
  Future<Void> loadHolds() {
    return store.findAll().onSuccess(accounts -> accounts.forEach(a -> book.syncHold(a, time.now()))).mapEmpty();
  }
}
