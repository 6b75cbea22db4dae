package io.qbridge.api.anthropic;

import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.TokenCounter;
import io.qbridge.web.Bodies;
import io.qbridge.web.BodyWork;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /v1/messages/count_tokens}: answered locally with the same tokenizer and the same
 * counting as the usage estimate, never upstream. Claude Code fires dozens of identical calls at
 * startup, so results are cached by body digest (a small LRU per verticle). Digest, parsing and
 * counting cost time in proportion to the body, so they run through {@link BodyWork} (on a worker
 * for large bodies), which is why the cache is synchronized.
 */
public final class CountTokensHandler implements Handler<RoutingContext> {

  private static final int CACHE_SIZE = 256;

  private final TokenCounter tokens;
  private final BodyWork bodyWork;
  private final Map<String, Integer> cache = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > CACHE_SIZE;
    }
  });

  public CountTokensHandler(TokenCounter tokens, BodyWork bodyWork) {
    this.tokens = tokens;
    this.bodyWork = bodyWork;
  }

  @Override
  public void handle(RoutingContext ctx) {
    bodyWork.run(ctx, this::count)
        .onSuccess(count -> ctx.response().putHeader("content-type", "application/json")
            .end(new JsonObject().put("input_tokens", count).toBuffer()))
        .onFailure(ctx::fail);
  }

  private int count(Buffer body) {
    String key = digest(body);
    Integer cached = cache.get(key);
    if (cached != null) return cached;
    int count = InputTokenEstimator.estimate(ClaudeRequestParser.parse(Bodies.jsonObject(body)), tokens);
    cache.put(key, count);
    return count;
  }

  private static String digest(Buffer b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
