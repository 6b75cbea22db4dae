package io.qbridge.api.anthropic;

import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.TokenCounter;
import io.qbridge.web.Bodies;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/messages/count_tokens}: answered locally with the same tokenizer and the same
 * counting as the usage estimate, never upstream. Claude Code fires dozens of identical calls at
 * startup, so results are cached by body digest (a small LRU per verticle, event-loop confined).
 */
public final class CountTokensHandler implements Handler<RoutingContext> {

  private static final int CACHE_SIZE = 256;

  private final TokenCounter tokens;
  private final Map<String, Integer> cache = new LinkedHashMap<>(64, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  public CountTokensHandler(TokenCounter tokens) {
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    Buffer raw = ctx.body().buffer();
    String key = raw == null ? "" : digest(raw);
    Integer count = cache.get(key);
    if (count == null) {
      JsonObject body = Bodies.jsonObject(ctx);
      count = InputTokenEstimator.estimate(ClaudeRequestParser.parse(body), tokens);
      cache.put(key, count);
    }
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("input_tokens", count).toBuffer());
  }

  private static String digest(Buffer b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
