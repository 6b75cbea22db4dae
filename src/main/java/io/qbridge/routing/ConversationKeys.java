package io.qbridge.routing;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The conversation key of a request, from the field each client family already sends for the
 * purpose, hashed at once so that the raw value (a user or session id) never travels further:
 *
 * <ul>
 *   <li>Anthropic Messages: {@code metadata.user_id} (Claude Code puts its session id there);</li>
 *   <li>OpenAI Chat Completions: {@code prompt_cache_key} (Codex sends its session id), else {@code user};</li>
 *   <li>OpenAI Responses: {@code prompt_cache_key}, else {@code previous_response_id} (a chain
 *       continues where the previous response was made, when the caller {@link StickyTable#bind
 *       binds} each produced response id).</li>
 * </ul>
 *
 * No field, no key ({@code null}): such requests are not sticky. Prompts are never hashed — a
 * prompt is not an identity, and hashing megabytes per request would cost the event loop.
 */
public final class ConversationKeys {

  /** Longest raw value accepted; longer values are not identifiers and give no key. */
  static final int MAX_RAW_LENGTH = 512;

  private ConversationKeys() {}

  public static String fromClaude(JsonObject body) {
    return body != null && body.getValue("metadata") instanceof JsonObject meta ? hash("claude", meta.getValue("user_id")) : null;
  }

  public static String fromChatCompletions(JsonObject body) {
    if (body == null) return null;
    String k = hash("openai", body.getValue("prompt_cache_key"));
    return k != null ? k : hash("openai-user", body.getValue("user"));
  }

  public static String fromResponses(JsonObject body) {
    if (body == null) return null;
    String k = hash("openai", body.getValue("prompt_cache_key"));
    return k != null ? k : responseId(body.getValue("previous_response_id") instanceof String s ? s : null);
  }

  /** The key a Responses chain continues under when a request names {@code responseId} as its previous response. */
  public static String responseId(String responseId) {
    return hash("response", responseId);
  }

  /**
   * {@code source:value} hashed with SHA-256, the first 128 bits in hex; {@code null} for a
   * missing, non-string, blank or oversized value. {@code source} keeps equal values from
   * different fields apart.
   */
  static String hash(String source, Object value) {
    if (!(value instanceof String s) || s.isBlank() || s.length() > MAX_RAW_LENGTH) return null;
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((source + ":" + s).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
