package io.qbridge.upstream;

import io.qbridge.config.AppConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ConnectionPoolTooBusyException;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * The single factory for outbound HTTP clients (Amazon Q and OIDC alike), so that the proxy,
 * timeouts, keep-alive and pool policy are the same for every call we make. Each verticle
 * instance creates its own client on its own event loop.
 */
public final class OutboundHttp {

  private OutboundHttp() {}

  /**
   * @param maxConnections pooled connections; requests beyond them wait in a queue of the same size
   *                       (a full queue fails at once, see {@link #isLocalCapacity})
   */
  public static HttpClientAgent create(Vertx vertx, AppConfig.Upstream config, int maxConnections) {
    HttpClientOptions options = new HttpClientOptions()
        .setConnectTimeout(config.connectTimeoutMs())
        .setKeepAlive(true)
        // short keep-alive: q2api's history shows long-idle pooled connections die silently (§9)
        .setKeepAliveTimeout(30)
        .setTcpNoDelay(true)
        // Amazon Q's event stream is not compressed when not asked to: no Accept-Encoding, no content decoder per response
        .setDecompressionSupported(false)
        .setVerifyHost(true);
    ProxyOptions proxy = proxyOptions(config.httpProxy());
    if (proxy != null) options.setProxyOptions(proxy);
    return vertx.createHttpClient(options,
        new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(maxConnections));
  }

  /**
   * How long a request may wait for a pooled connection, connecting included: twice the TCP
   * connect timeout, so that a host that does not answer fails as a connect failure first, and only
   * a wait that our own side made long (the pool full, or a saturated machine that could not
   * complete a connect in time) ends in the pool's timeout ({@link #isLocalCapacity}). Chat
   * requests reach the pool through {@link ConnectQueue}, so for them this bounds one connect,
   * never a queue.
   */
  public static long acquireTimeoutMs(AppConfig.Upstream config) {
    return 2L * config.connectTimeoutMs();
  }

  /**
   * Whether a failed request never left this process because our own pool was full: the wait
   * queue was full, or the wait for a connection timed out (Vert.x counts that wait inside the
   * request's connect timeout and reports it as "timeout ... when getting a connection").
   */
  public static boolean isLocalCapacity(Throwable t) {
    if (t instanceof ConnectionPoolTooBusyException) return true;
    return t instanceof TimeoutException && String.valueOf(t.getMessage()).contains("when getting a connection");
  }

  /** Parses {@code http://[user:pass@]host:port} into proxy options; {@code null} when unset. */
  static ProxyOptions proxyOptions(String url) {
    if (url == null || url.isBlank()) return null;
    URI uri = URI.create(url.trim());
    boolean socks = uri.getScheme() != null && uri.getScheme().startsWith("socks");
    ProxyOptions p = new ProxyOptions()
        .setType(socks ? ProxyType.SOCKS5 : ProxyType.HTTP)
        .setHost(uri.getHost())
        .setPort(uri.getPort() > 0 ? uri.getPort() : ("https".equals(uri.getScheme()) ? 443 : socks ? 1080 : 80));
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      String user = colon < 0 ? userInfo : userInfo.substring(0, colon);
      p.setUsername(URLDecoder.decode(user, StandardCharsets.UTF_8));
      if (colon >= 0) p.setPassword(URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8));
    }
    return p;
  }
}
