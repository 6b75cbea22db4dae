package io.qbridge.web;

import io.qbridge.error.ErrorType;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Checks a client key against a list, accepting {@code x-api-key} (Anthropic SDKs, Claude Code)
 * and {@code Authorization: Bearer} (OpenAI SDKs). An empty list means dev mode: no check.
 * Comparison is constant-time so keys cannot be guessed byte by byte.
 */
public final class ApiKeyAuth implements Handler<RoutingContext> {

  private final List<byte[]> keys;
  private final ErrorShape shape;

  public ApiKeyAuth(List<String> keys, ErrorShape shape) {
    this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
    this.shape = shape;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (keys.isEmpty()) {
      ctx.next();
      return;
    }
    String presented = presentedKey(ctx);
    if (presented == null) {
      FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION,
          "Missing API key: send it as 'x-api-key' or 'Authorization: Bearer <key>'");
      return;
    }
    byte[] p = presented.getBytes(StandardCharsets.UTF_8);
    boolean ok = false;
    for (byte[] k : keys) ok |= MessageDigest.isEqual(k, p);
    if (ok) {
      ctx.next();
    } else {
      FailureHandler.send(ctx.response(), shape, 401, ErrorType.AUTHENTICATION, "Invalid API key");
    }
  }

  public static String presentedKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("x-api-key");
    if (key != null && !key.isBlank()) return key.trim();
    String auth = ctx.request().getHeader("authorization");
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) return auth.substring(7).trim();
    return null;
  }
}
