package io.qbridge.http.security;

import io.qbridge.audit.AuditActions;
import io.qbridge.audit.AuditClient;
import io.qbridge.audit.AuditEvent;
import io.qbridge.error.ErrorType;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets a request through to an admin route or answers 401/403/429 in the route's error shape.
 * Order: lockout (429 with retry-after), then the mode's rule (see {@link AdminSecurity}; a wrong
 * ADMIN_KEY is counted by the lockout and recorded in the audit log); the
 * authenticated actor is left on the context under {@link #ACTOR} ("loopback", "key" or
 * "session") and, as the audit log names it, under {@link #AUDIT_ACTOR} (see
 * {@link AdminSecurity#auditActor}) for handlers that record who did what.
 */
final class AdminGuard implements Handler<RoutingContext> {
  private static final Logger LOG = LoggerFactory.getLogger(AdminGuard.class);

  /** Context key of the actor that passed the guard. */
  static final String ACTOR = "qbridge.adminActor";
  /** Context key of the actor's audit-log name: {@code loopback}, {@code admin-key} or {@code session:<tag>}. */
  static final String AUDIT_ACTOR = "qbridge.adminAuditActor";

  private final AdminSecurity security;
  private final ErrorShape shape;
  private final AuditClient audit;

  AdminGuard(AdminSecurity security, ErrorShape shape, AuditClient audit) {
    this.security = security;
    this.shape = shape;
    this.audit = audit;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String client = security.clientAddress(request);
    Refusals.unlessLockedOut(ctx, security, client, shape, () -> authenticate(ctx, request, client));
  }

  private void authenticate(RoutingContext ctx, HttpServerRequest request, String client) {
    if (security.devMode()) {
      if (!Refusals.notLocal(ctx, shape)) pass(ctx, "loopback", "loopback", !SameOrigin.isStateChanging(request.method())
          || SameOrigin.check(request, false));
      return;
    }
    String key = AdminSecurity.presentedKey(request);
    if (key != null) {
      if (security.keyMatches(key)) {
        pass(ctx, "key", AdminSecurity.KEY_ACTOR, true);
      } else {
        Refusals.invalidKey(ctx, security, client, shape);
        // like a failed console sign-in: who tried, from where; never the key they tried
        audit.record(AuditEvent.of(SessionRoutes.ANONYMOUS, client, AuditActions.ADMIN_KEY_REJECTED, null, 401));
      }
      return;
    }
    String sessionId = AdminSecurity.sessionId(request);
    if (sessionId == null) {
      FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION, "Admin authentication required:"
          + " sign in to the console at /, or send 'Authorization: Bearer <ADMIN_KEY>' or 'x-admin-key'");
      return;
    }
    security.sessions().find(sessionId).onComplete(found -> {
      if (found.failed()) {
        // the session may well be valid: keep the cookie, say why
        LOG.warn("console session store unavailable: {}", found.cause().getMessage());
        FailureHandler.send(ctx.response(), shape, 503, ErrorType.API_ERROR,
            "Console sessions are unavailable (database unreachable): try again shortly, or use the admin key");
      } else if (found.result().isPresent()) {
        pass(ctx, "session", AdminSecurity.sessionActor(sessionId), !SameOrigin.isStateChanging(request.method()) || SameOrigin.check(request, true));
      } else {
        security.clearSessionCookie(request, ctx.response());
        FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION,
            "Your console session has ended (signed out or expired): sign in again");
      }
    });
  }

  private void pass(RoutingContext ctx, String actor, String auditActor, boolean sameOrigin) {
    if (!sameOrigin) {
      FailureHandler.send(ctx.response(), shape, 403, ErrorType.PERMISSION,
          "Cross-site request refused: admin changes must come from the console's own origin");
      return;
    }
    ctx.put(ACTOR, actor);
    ctx.put(AUDIT_ACTOR, auditActor);
    ctx.next();
  }
}
