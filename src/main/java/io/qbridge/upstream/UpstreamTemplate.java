package io.qbridge.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The upstream request template ({@code templates/amazonq.json}): the headers and constant body
 * fields that make our requests look like the official Amazon Q CLI. Kept out of Java so operators
 * can follow upstream client updates without a rebuild. Immutable; safe to share across verticles.
 */
public final class UpstreamTemplate {

  public static final String FILE_NAME = "amazonq.json";

  private final JsonObject chat;
  private final JsonObject oidc;
  // parsed once: the chat headers are copied for every upstream request
  private final MultiMap chatHeaders;
  private final MultiMap oidcHeaders;

  private UpstreamTemplate(JsonObject root) {
    this.chat = require(root, "chat");
    this.oidc = require(root, "oidc");
    require(chat, "headers");
    require(oidc, "headers");
    this.chatHeaders = headers(chat);
    this.oidcHeaders = headers(oidc);
  }

  /** Reads {@code dir/amazonq.json} when present, else the copy bundled in the jar. Blocking: call at startup. */
  public static UpstreamTemplate load(String dir) {
    Path file = Path.of(dir, FILE_NAME);
    try {
      if (Files.isRegularFile(file)) {
        return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
      }
      try (InputStream in = UpstreamTemplate.class.getClassLoader().getResourceAsStream("templates/" + FILE_NAME)) {
        if (in == null) throw new IllegalStateException("request template " + file + " not found (and none bundled)");
        return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "bundled templates/" + FILE_NAME);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read request template " + file + ": " + e.getMessage(), e);
    }
  }

  static UpstreamTemplate parse(String json, String source) {
    try {
      return new UpstreamTemplate(new JsonObject(json));
    } catch (RuntimeException e) {
      throw new IllegalStateException("invalid request template " + source + ": " + e.getMessage(), e);
    }
  }

  private static JsonObject require(JsonObject o, String key) {
    Object v = o.getValue(key);
    if (!(v instanceof JsonObject j)) throw new IllegalArgumentException("missing object '" + key + "'");
    return j;
  }

  /** Headers for GenerateAssistantResponse (without authorization and invocation id). */
  public MultiMap chatHeaders() { return MultiMap.caseInsensitiveMultiMap().addAll(chatHeaders); }

  /** Headers for SSO-OIDC calls (without invocation id). */
  public MultiMap oidcHeaders() { return MultiMap.caseInsensitiveMultiMap().addAll(oidcHeaders); }

  public String chatTriggerType() { return chat.getString("chatTriggerType", "MANUAL"); }

  public String origin() { return chat.getString("origin", "KIRO_CLI"); }

  /** A fresh copy of {@code envState} for one request. */
  public JsonObject envState() { return chat.getJsonObject("envState", new JsonObject()).copy(); }

  public String clientName() { return oidc.getString("clientName", "Amazon Q Developer for command line"); }

  public String clientType() { return oidc.getString("clientType", "public"); }

  public JsonArray scopes() { return oidc.getJsonArray("scopes", new JsonArray()).copy(); }

  private static MultiMap headers(JsonObject section) {
    MultiMap m = MultiMap.caseInsensitiveMultiMap();
    for (Map.Entry<String, Object> e : section.getJsonObject("headers")) {
      String name = e.getKey().toLowerCase();
      // the HTTP client owns these; a stale captured value would corrupt framing
      if (name.equals("content-length") || name.equals("host") || name.equals("connection") || name.equals("transfer-encoding")) continue;
      m.add(e.getKey(), String.valueOf(e.getValue()));
    }
    return m;
  }
}
