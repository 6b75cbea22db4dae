package io.qbridge.http.admin;

import io.qbridge.bus.DeviceLoginClient;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.qbridge.web.Bodies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Admin REST for device login with AWS Builder ID, q2api's paths under {@code /v2/auth}:
 * <pre>
 * POST /v2/auth/start            {label?, enabled? = true} (body optional)
 *                                → 200 {authId, verificationUriComplete, verificationUri, userCode, expiresIn, interval}
 * GET  /v2/auth/status/:authId   → 200 {status: pending|completed|failed|expired, remaining, error?, accountId?} | 404
 * POST /v2/auth/claim/:authId    waits until the login settles (at most DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS)
 *                                → 201 account | 400 access_denied | 410 expired | 408 not yet | 502 other failure | 404
 * </pre>
 * The login itself runs in the upstream verticle (it owns OIDC) and polls in the background from
 * {@code start} on, so {@code status} works without a claim and a console survives a page reload.
 * The account is created there, once, when the user approves; a claim only waits for it, so two
 * claims (or a claim and a status poll) cannot create two accounts.
 *
 * <p>Claim is one bus request held by the upstream verticle until the session settles, rather
 * than status polling from here: the answer comes the moment the login finishes, one message
 * instead of one per second, and nothing blocks (the wait is a promise plus a timer on the
 * upstream event loop). The bus timeout is the claim timeout plus a margin, so the upstream
 * verticle's own "still pending" answer (→ 408) arrives first.
 *
 * <p>The caller installs a {@code RawBodyHandler}, admin authentication and the admin failure handler;
 * handlers here only {@code ctx.fail(GatewayException)}.
 */
public final class DeviceLoginRoutes {
  public static final String BASE = "/v2/auth";

  private final DeviceLoginClient logins;
  private final long claimTimeoutSeconds;

  private DeviceLoginRoutes(DeviceLoginClient logins, long claimTimeoutSeconds) {
    this.logins = logins;
    this.claimTimeoutSeconds = claimTimeoutSeconds;
  }

  /** @param claimTimeoutSeconds DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS, quoted when a claim times out */
  public static void mount(Router router, DeviceLoginClient logins, long claimTimeoutSeconds) {
    DeviceLoginRoutes routes = new DeviceLoginRoutes(logins, claimTimeoutSeconds);
    router.post(BASE + "/start").handler(routes::start);
    router.get(BASE + "/status/:authId").handler(routes::status);
    router.post(BASE + "/claim/:authId").handler(routes::claim);
  }

  private void start(RoutingContext ctx) {
    JsonObject body;
    try {
      body = optionalJsonObject(ctx);
    } catch (GatewayException e) {
      ctx.fail(e);
      return;
    }
    logins.start(body).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void status(RoutingContext ctx) {
    logins.status(ctx.pathParam("authId")).onSuccess(ctx::json).onFailure(ctx::fail);
  }

  private void claim(RoutingContext ctx) {
    logins.claim(ctx.pathParam("authId")).onSuccess(reply -> claimed(ctx, reply)).onFailure(ctx::fail);
  }

  /** Completed → 201 with the account; anything else → the failure in the admin error shape. */
  private void claimed(RoutingContext ctx, JsonObject reply) {
    String status = reply.getString("status", "");
    String error = reply.getString("error");
    JsonObject account = reply.getJsonObject("account");
    if ("completed".equals(status) && account != null) {
      ctx.response().setStatusCode(201)
          .putHeader(HttpHeaders.LOCATION, AccountAdminRoutes.BASE + "/" + account.getString("id"))
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
          .end(account.encode());
      return;
    }
    ctx.fail(switch (status) {
      case "expired" -> new GatewayException(410, ErrorType.INVALID_REQUEST,
          "Device login expired (expired_token): the code was not approved in time; start a new login");
      case "failed" -> "access_denied".equals(error)
          ? GatewayException.badRequest("Device login denied (access_denied): the user rejected the request")
          : new GatewayException(502, ErrorType.API_ERROR, "Device login failed: " + error);
      default -> new GatewayException(408, ErrorType.TIMEOUT, "Device login not completed within "
          + claimTimeoutSeconds + " s; it continues in the background: claim again or poll its status");
    });
  }

  /** No body or an empty one reads as {@code {}}; otherwise it must be a JSON object (400). */
  private static JsonObject optionalJsonObject(RoutingContext ctx) {
    Buffer buffer = Bodies.buffer(ctx);
    return buffer == null || buffer.length() == 0 ? new JsonObject() : Bodies.jsonObject(ctx);
  }
}
