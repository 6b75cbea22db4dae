package io.qbridge.http.security;

import io.qbridge.error.ErrorType;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.ext.web.RoutingContext;

/** The refusals the guard and the session routes share, each writing its answer when it refuses. */
final class Refusals {

  private Refusals() {}

  /** 429 + retry-after while {@code client} is locked out; true when it answered. */
  static boolean lockedOut(RoutingContext ctx, AdminSecurity security, String client, ErrorShape shape) {
    long retryAfter = security.lockout().retryAfterSeconds(client);
    if (retryAfter <= 0) return false;
    ctx.response().putHeader("retry-after", Long.toString(retryAfter));
    FailureHandler.send(ctx.response(), shape, 429, ErrorType.RATE_LIMIT, "Too many failed admin sign-ins from"
        + " your address (" + AdminSecurity.MAX_FAILURES + " within " + AdminSecurity.FAILURE_WINDOW.toSeconds()
        + " s): try again in " + retryAfter + " s");
    return true;
  }

  /** Dev mode: 401 unless the request is a direct loopback one naming this machine; true when it answered. */
  static boolean notLocal(RoutingContext ctx, ErrorShape shape) {
    if (Peers.isDirectLoopback(ctx.request()) && Peers.isLoopbackHost(ctx.request().getHeader("host"))) return false;
    FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION, "ADMIN_KEY is not set (dev mode):"
        + " the admin API only answers direct connections from this machine, without proxy headers."
        + " Set ADMIN_KEY to manage qbridge from elsewhere.");
    return true;
  }
}
