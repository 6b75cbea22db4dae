package io.qbridge.http.security;

import io.qbridge.error.ErrorType;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The refusals the guard and the session routes share, each writing its answer when it refuses. */
final class Refusals {
  private static final Logger LOG = LoggerFactory.getLogger(Refusals.class);

  private Refusals() {}

  /**
   * Runs {@code next} unless {@code client} is locked out, else answers 429 + retry-after. The
   * lockout lives in the shared database: when it cannot be read the request goes on (logged), since
   * refusing every admin request while the database is away would lock the operator out too; a
   * failure thrown by {@code next} fails the request.
   */
  static void unlessLockedOut(RoutingContext ctx, AdminSecurity security, String client, ErrorShape shape,
      Runnable next) {
    security.lockout().retryAfterSeconds(client).onComplete(ar -> {
      if (ar.failed()) LOG.warn("sign-in lockout unavailable, not checked: {}", ar.cause().getMessage());
      long retryAfter = ar.succeeded() ? ar.result() : 0;
      if (retryAfter > 0) {
        ctx.response().putHeader("retry-after", Long.toString(retryAfter));
        FailureHandler.send(ctx.response(), shape, 429, ErrorType.RATE_LIMIT, "Too many failed admin sign-ins from"
            + " your address (" + AdminSecurity.MAX_FAILURES + " within " + AdminSecurity.FAILURE_WINDOW.toSeconds()
            + " s): try again in " + retryAfter + " s");
        return;
      }
      try {
        next.run();
      } catch (RuntimeException e) {
        ctx.fail(e);
      }
    });
  }

  /** Counts a failed key check from {@code client}, then answers 401 (after the count, so a retry sees it). */
  static void invalidKey(RoutingContext ctx, AdminSecurity security, String client, ErrorShape shape) {
    security.lockout().recordFailure(client).onComplete(ar -> {
      if (ar.failed()) LOG.warn("sign-in lockout unavailable, failure not counted: {}", ar.cause().getMessage());
      FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION, "Invalid admin key");
    });
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
