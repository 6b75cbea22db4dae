package io.qbridge.http.admin;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.error.GatewayException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Admin REST for accounts, q2api's paths under {@code /v2/accounts}:
 * <pre>
 * POST   /v2/accounts       {label?, clientId, clientSecret, refreshToken, accessToken?, other?, enabled?,
 *                           expires_at?, last_refresh_status?} → 201 account
 * GET    /v2/accounts       → 200 [account...] newest first
 * GET    /v2/accounts/:id   → 200 account | 404
 * PATCH  /v2/accounts/:id   {any create field but expires_at, last_refresh_status} → 200 account | 404
 * DELETE /v2/accounts/:id   → 200 {"deleted": true, "id": id} | 404
 * POST   /v2/accounts/:id/refresh → 200 account (last_refresh_status "success") | 404 | 502 {error: why the refresh failed}
 * </pre>
 * "account" is the admin JSON: q2api's keys, secrets replaced by {@code hasClientSecret},
 * {@code hasRefreshToken}, {@code hasAccessToken}. DELETE answers 200 with a body (not 204) so
 * scripts can log what was deleted, as q2api does.
 *
 * <p>The caller installs a {@code RawBodyHandler} before these routes, admin authentication, and the
 * router failure handler that renders {@link GatewayException}s: handlers here only
 * {@code ctx.fail(ex)}.
 */
public final class AccountAdminRoutes {
  public static final String BASE = "/v2/accounts";

  private final AccountPoolClient pool;

  private AccountAdminRoutes(AccountPoolClient pool) {
    this.pool = pool;
  }

  public static void mount(Router router, AccountPoolClient pool) {
    AccountAdminRoutes routes = new AccountAdminRoutes(pool);
    router.post(BASE).handler(routes::create);
    router.get(BASE).handler(routes::list);
    router.get(BASE + "/:id").handler(routes::get);
    router.patch(BASE + "/:id").handler(routes::update);
    router.delete(BASE + "/:id").handler(routes::delete);
    router.post(BASE + "/:id/refresh").handler(routes::refresh);
  }

  private void create(RoutingContext ctx) {
    JsonObject body = jsonObjectBody(ctx);
    if (body == null) return;
    pool.create(body)
        .onSuccess(account -> ctx.response().setStatusCode(201)
            .putHeader(HttpHeaders.LOCATION, BASE + "/" + account.getString("id"))
            .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(account.encode()))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    pool.list().onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void get(RoutingContext ctx) {
    pool.get(ctx.pathParam("id")).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    JsonObject patch = jsonObjectBody(ctx);
    if (patch == null) return;
    pool.update(ctx.pathParam("id"), patch).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    pool.delete(ctx.pathParam("id")).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  /** Forces a token refresh now (single flight with any refresh already running for the account). */
  private void refresh(RoutingContext ctx) {
    pool.refresh(ctx.pathParam("id")).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  /** The body as a JSON object, or {@code null} after failing the context with a 400. */
  private static JsonObject jsonObjectBody(RoutingContext ctx) {
    Buffer buffer = io.qbridge.web.Bodies.buffer(ctx);
    if (buffer == null || buffer.length() == 0) {
      ctx.fail(GatewayException.badRequest("Request body must be a JSON object: the body is empty"));
      return null;
    }
    Object decoded;
    try {
      decoded = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      ctx.fail(GatewayException.badRequest("Request body must be a JSON object: invalid JSON"));
      return null;
    }
    if (decoded instanceof JsonObject json) return json;
    ctx.fail(GatewayException.badRequest("Request body must be a JSON object: got " + kind(decoded)));
    return null;
  }

  private static String kind(Object v) {
    if (v == null) return "null";
    if (v instanceof io.vertx.core.json.JsonArray) return "an array";
    if (v instanceof String) return "a string";
    if (v instanceof Number) return "a number";
    if (v instanceof Boolean) return "a boolean";
    return v.getClass().getSimpleName();
  }
}
