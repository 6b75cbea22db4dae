package io.qbridge.http.security;

import io.qbridge.audit.AuditActions;
import io.qbridge.audit.AuditClient;
import io.qbridge.audit.AuditEvent;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.qbridge.web.Bodies;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * Console sign-in, reachable without being signed in (it is how one signs in):
 * <pre>
 * GET    /v2/session                  → 200 {mode: "dev"|"key", authenticated, via?: "loopback"|"key"|"session", apiKeyRequired}
 * POST   /v2/session {adminKey}       → 200 {..., authenticated: true, via: "session"} + Set-Cookie | 401 | 409 in dev mode | 429
 * DELETE /v2/session                  → 200 {authenticated: false}; the session is deleted on the server
 * </pre>
 * The key is checked once here and never kept: the cookie holds a random session id only. In dev
 * mode every route answers only direct loopback peers, like the rest of /v2. Sign-ins, failed
 * sign-ins (a wrong key; not the refused ones of a locked-out address) and sign-outs go to the
 * audit log, the session named by {@link AdminSecurity#sessionActor}.
 */
public final class SessionRoutes {

  public static final String PATH = "/v2/session";

  /** The audit log's actor of a failed sign-in: nobody proved anything. */
  static final String ANONYMOUS = "anonymous";

  private final AdminSecurity security;
  private final ErrorShape shape;
  private final AuditClient audit;

  private SessionRoutes(AdminSecurity security, ErrorShape shape, AuditClient audit) {
    this.security = security;
    this.shape = shape;
    this.audit = audit;
  }

  /** Mounts the routes; must come before the {@code /v2/*} guard. */
  public static void mount(Router router, AdminSecurity security, ErrorShape shape, AuditClient audit) {
    SessionRoutes routes = new SessionRoutes(security, shape, audit);
    router.get(PATH).handler(routes::status);
    router.post(PATH).handler(routes::signIn);
    router.delete(PATH).handler(routes::signOut);
  }

  private void status(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (security.devMode()) {
      if (!Refusals.notLocal(ctx, shape)) ctx.json(view(true, "loopback"));
      return;
    }
    String key = AdminSecurity.presentedKey(request);
    if (key != null) {
      // a key check like any other: counted, so this cannot serve as a guessing oracle
      String client = security.clientAddress(request);
      Refusals.unlessLockedOut(ctx, security, client, shape, () -> {
        boolean valid = security.keyMatches(key);
        Future<Void> counted = valid ? Future.succeededFuture() : security.lockout().recordFailure(client);
        counted.onComplete(ar -> ctx.json(view(valid, "key")));
      });
      return;
    }
    security.sessions().find(AdminSecurity.sessionId(request)).onComplete(found ->
        ctx.json(view(found.succeeded() && found.result().isPresent(), "session")));
  }

  private void signIn(RoutingContext ctx) {
    String client = security.clientAddress(ctx.request());
    Refusals.unlessLockedOut(ctx, security, client, shape, () -> signIn(ctx, client));
  }

  private void signIn(RoutingContext ctx, String client) {
    HttpServerRequest request = ctx.request();
    if (security.devMode()) {
      if (!Refusals.notLocal(ctx, shape)) {
        ctx.fail(new GatewayException(409, ErrorType.INVALID_REQUEST,
            "ADMIN_KEY is not set (dev mode): no sign-in is needed from this machine"));
      }
      return;
    }
    if (!SameOrigin.check(request, false)) {
      FailureHandler.send(ctx.response(), shape, 403, ErrorType.PERMISSION,
          "Cross-site sign-in refused: sign in from the console's own page");
      return;
    }
    JsonObject body = Bodies.jsonObject(ctx);
    Object key = body.getValue("adminKey");
    if (!(key instanceof String presented) || presented.isEmpty()) {
      throw GatewayException.badRequest("adminKey: required, the ADMIN_KEY as a string");
    }
    if (!security.keyMatches(presented)) {
      Refusals.invalidKey(ctx, security, client, shape);
      audit.record(AuditEvent.of(ANONYMOUS, client, AuditActions.SIGN_IN_FAILED, null, 401));
      return;
    }
    security.sessions().create(client).onSuccess(session -> {
      audit.record(AuditEvent.of(AdminSecurity.sessionActor(session.id()), client, AuditActions.SIGN_IN, null, 200));
      security.setSessionCookie(request, ctx.response(), session.id());
      ctx.response().putHeader("cache-control", "no-store");
      ctx.json(view(true, "session"));
    }).onFailure(ctx::fail);
  }

  private void signOut(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    if (security.devMode() && Refusals.notLocal(ctx, shape)) return;
    if (!SameOrigin.check(request, false)) {
      FailureHandler.send(ctx.response(), shape, 403, ErrorType.PERMISSION,
          "Cross-site request refused: sign out from the console's own page");
      return;
    }
    String sessionId = AdminSecurity.sessionId(request);
    if (sessionId != null) {
      audit.record(AuditEvent.of(AdminSecurity.sessionActor(sessionId), security.clientAddress(request),
          AuditActions.SIGN_OUT, null, 200));
    }
    security.sessions().delete(sessionId).onComplete(done -> {
      security.clearSessionCookie(request, ctx.response());
      ctx.json(view(security.devMode(), security.devMode() ? "loopback" : null));
    });
  }

  private JsonObject view(boolean authenticated, String via) {
    JsonObject view = new JsonObject()
        .put("mode", security.devMode() ? "dev" : "key")
        .put("authenticated", authenticated)
        .put("apiKeyRequired", security.apiKeyRequired());
    if (authenticated && via != null) view.put("via", via);
    return view;
  }
}
