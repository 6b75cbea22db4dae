package io.qbridge.http.security;

import io.qbridge.config.AddressRange;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import java.util.Locale;

/**
 * Who is at the other end of a connection. The rule dev mode rests on: a request is from this
 * machine only when the TCP peer is a loopback address <em>and</em> it carries no forwarding
 * header. A reverse proxy on this machine connects from loopback too, so a request that says it
 * was forwarded ({@code X-Forwarded-For}, {@code Forwarded}, {@code X-Real-IP}) came from somewhere
 * else and the peer address tells nothing about its origin.
 */
public final class Peers {

  /** Headers that mean "a proxy forwarded this request", in lower case. */
  public static final List<String> FORWARDING_HEADERS = List.of("x-forwarded-for", "forwarded", "x-real-ip");

  private static final AddressRange LOOPBACK_V4 = AddressRange.parse("127.0.0.0/8");
  private static final AddressRange LOOPBACK_V6 = AddressRange.parse("::1");

  private Peers() {}

  /** True for a literal loopback address (127.0.0.0/8, ::1, ::ffff:127.x.y.z); false for null or names. */
  public static boolean isLoopback(String address) {
    return address != null && (LOOPBACK_V4.contains(address) || LOOPBACK_V6.contains(address));
  }

  /** True when any forwarding header is present (even empty: a proxy set it). */
  public static boolean isForwarded(MultiMap headers) {
    for (String name : FORWARDING_HEADERS) {
      if (headers.contains(name)) return true;
    }
    return false;
  }

  /** The request's TCP peer is loopback and nothing says it was forwarded. */
  public static boolean isDirectLoopback(HttpServerRequest request) {
    return isLoopback(peerAddress(request)) && !isForwarded(request.headers());
  }

  /** The TCP peer's literal address, or null (e.g. a Unix domain socket). */
  public static String peerAddress(HttpServerRequest request) {
    SocketAddress remote = request.remoteAddress();
    return remote == null ? null : remote.hostAddress();
  }

  /**
   * True when the {@code Host} header names this machine (localhost, *.localhost, a loopback
   * literal) or is absent. In dev mode this stops DNS rebinding: a web page whose name resolves to
   * 127.0.0.1 reaches us from a loopback peer, but with its own name in {@code Host}.
   */
  public static boolean isLoopbackHost(String hostHeader) {
    if (hostHeader == null || hostHeader.isEmpty()) return true;
    String host;
    if (hostHeader.startsWith("[")) {
      int end = hostHeader.indexOf(']');
      host = end < 0 ? hostHeader : hostHeader.substring(1, end);
    } else {
      int colon = hostHeader.indexOf(':');
      host = colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }
    host = host.toLowerCase(Locale.ROOT);
    return host.equals("localhost") || host.endsWith(".localhost") || isLoopback(host);
  }
}
