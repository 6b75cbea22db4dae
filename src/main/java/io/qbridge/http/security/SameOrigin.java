package io.qbridge.http.security;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;

/**
 * CSRF protection for state-changing requests: the browser tells where a request comes from
 * ({@code Sec-Fetch-Site}, else {@code Origin}), and only this origin may change anything.
 * Requests authenticated by a key header need no check (a foreign page cannot attach the key);
 * cookie-authenticated ones must prove they are same-origin; in dev mode, where the loopback peer
 * is the credential, a browser request from another site is refused but scripts (no such headers)
 * are not.
 */
public final class SameOrigin {

  private SameOrigin() {}

  /** GET, HEAD and OPTIONS change nothing. */
  public static boolean isStateChanging(HttpMethod method) {
    return !(HttpMethod.GET.equals(method) || HttpMethod.HEAD.equals(method) || HttpMethod.OPTIONS.equals(method));
  }

  /**
   * True when the request demonstrably comes from a page of this origin. With
   * {@code requireEvidence} false a request without either header (not a browser) also passes.
   */
  public static boolean check(HttpServerRequest request, boolean requireEvidence) {
    String site = request.getHeader("sec-fetch-site");
    if (site != null) return site.equalsIgnoreCase("same-origin");
    String origin = request.getHeader("origin");
    if (origin == null) return !requireEvidence;
    String host = request.getHeader("host");
    if (host == null) return false;
    try {
      URI uri = new URI(origin);
      if (uri.getRawAuthority() == null) return false; // "null" (sandboxed or opaque origins)
      return uri.getRawAuthority().equalsIgnoreCase(host);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
