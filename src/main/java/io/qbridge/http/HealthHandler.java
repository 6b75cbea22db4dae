package io.qbridge.http;

import io.qbridge.bus.AccountPoolClient;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /healthz}: 200 when the account store answers, 503 otherwise; never cached. */
public final class HealthHandler implements Handler<RoutingContext> {

  private final AccountPoolClient pool;

  public HealthHandler(AccountPoolClient pool) {
    this.pool = pool;
  }

  @Override
  public void handle(RoutingContext ctx) {
    pool.health().onComplete(ar -> {
      JsonObject h = ar.succeeded() ? ar.result() : new JsonObject().put("db", false);
      boolean up = Boolean.TRUE.equals(h.getValue("db"));
      JsonObject body = new JsonObject()
          .put("status", up ? "ok" : "unavailable")
          .put("db", up)
          .put("enabledAccounts", h.getValue("enabledAccounts", 0))
          .put("activeLeases", h.getValue("activeLeases", 0));
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader("content-type", "application/json")
          .putHeader("cache-control", "no-store")
          .end(body.toBuffer());
    });
  }
}
