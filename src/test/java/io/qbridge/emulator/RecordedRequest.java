package io.qbridge.emulator;

import io.vertx.core.MultiMap;
import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One request as the emulator received it, recorded before it was validated (so rejected
 * requests are recorded too). Immutable: {@code headers} is a private copy.
 *
 * @param method  HTTP method, e.g. {@code POST}
 * @param path    request path, e.g. {@code /} or {@code /oidc/token}
 * @param headers copy of the request headers (case-insensitive lookup)
 * @param body    the body parsed as a JSON object, or {@code null} when it is not one
 * @param rawBody the body as UTF-8 text (empty string when there was none)
 * @param token   the bearer token of the {@code Authorization} header, or {@code null}
 * @param time    arrival time (after the body was read)
 */
public record RecordedRequest(
    String method, String path, MultiMap headers, JsonObject body, String rawBody, String token, Instant time) {

  /** Header value or {@code null}. */
  public String header(String name) {
    return headers.get(name);
  }
}
