package io.qbridge.http.admin;

import io.qbridge.error.ErrorType;
import io.qbridge.web.ApiKeyAuth;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Guards the admin API with ADMIN_KEY ({@code Authorization: Bearer} or {@code x-admin-key}).
 * When ADMIN_KEY is empty the admin API is open (dev mode, warned about at startup); full admin
 * authentication with sessions comes with the web console.
 */
public final class AdminKeyAuth implements Handler<RoutingContext> {

  private final byte[] key;

  public AdminKeyAuth(String adminKey) {
    this.key = adminKey == null || adminKey.isEmpty() ? null : adminKey.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (key == null) {
      ctx.next();
      return;
    }
    String presented = ctx.request().getHeader("x-admin-key");
    if (presented == null) presented = ApiKeyAuth.presentedKey(ctx);
    if (presented != null && MessageDigest.isEqual(key, presented.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      FailureHandler.send(ctx.response(), AdminApi.ERROR_SHAPE, 401, ErrorType.AUTHENTICATION, "Admin key required");
    }
  }
}
