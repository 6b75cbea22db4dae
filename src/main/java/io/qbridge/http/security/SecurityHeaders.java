package io.qbridge.http.security;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Browser hardening for the console, /docs and the admin API: scripts and styles only from this
 * origin (no inline script, no eval, so injected markup cannot run), no framing (clickjacking),
 * no MIME sniffing, no Referer leaving the page. Mounted before the routes it protects.
 */
public final class SecurityHeaders implements Handler<RoutingContext> {

  public static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self';"
      + " img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
      + " frame-ancestors 'none'";

  @Override
  public void handle(RoutingContext ctx) {
    ctx.response().headers()
        .set("content-security-policy", CONTENT_SECURITY_POLICY)
        .set("x-content-type-options", "nosniff")
        .set("referrer-policy", "no-referrer")
        .set("x-frame-options", "DENY");
    ctx.next();
  }
}
