package io.qbridge.upstream;

import io.qbridge.eventstream.EventStreamDecoder;
import io.qbridge.eventstream.EventStreamException;
import io.qbridge.upstream.UpstreamError.Kind;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * A live Amazon Q response decoded incrementally into {@link QEvent}s. Flow control is the HTTP
 * response's own: {@link #pause()} stops reading the socket (TCP pushes back on Amazon Q) and
 * {@link #resume()} continues. Exactly one of the end or exception handlers is called, once.
 * Not thread-safe: used only on the event loop that received the response.
 */
public final class UpstreamStream {

  private final HttpClientResponse response;
  private final EventStreamDecoder decoder;
  private Handler<QEvent> eventHandler = e -> {};
  private Handler<Void> endHandler = v -> {};
  private Runnable chunkEndHandler = () -> {};
  private Handler<UpstreamError> errorHandler = e -> {};
  private final Vertx vertx;
  private final long idleTimeoutMs;
  private boolean done;
  private boolean paused;
  private long lastActivity = System.nanoTime();
  private long watchdog = -1;

  UpstreamStream(Vertx vertx, HttpClientResponse response, long idleTimeoutMs) {
    this.vertx = vertx;
    this.idleTimeoutMs = idleTimeoutMs;
    this.response = response;
    this.paused = true; // handed over paused; the consumer resumes
    this.decoder = new EventStreamDecoder(msg -> {
      if (!done) eventHandler.handle(QEvent.from(msg));
    });
    response.handler(this::onChunk);
    response.endHandler(v -> onEnd());
    response.exceptionHandler(t -> {
      UpstreamError e = transportError(t);
      // once bytes flowed, a dropped connection is a broken stream, not an unreachable host
      fail(e.kind() == Kind.CONNECT_FAILED ? UpstreamError.of(Kind.PROTOCOL, "connection lost mid-stream: " + e.detail()) : e);
    });
  }

  public UpstreamStream handler(Handler<QEvent> handler) { this.eventHandler = handler; return this; }

  public UpstreamStream endHandler(Handler<Void> handler) { this.endHandler = handler; return this; }

  /** Called after the events of one network chunk were delivered: the moment to flush and check the client. */
  public UpstreamStream chunkEndHandler(Runnable handler) { this.chunkEndHandler = handler; return this; }

  public UpstreamStream errorHandler(Handler<UpstreamError> handler) { this.errorHandler = handler; return this; }

  public void pause() {
    paused = true;
    response.pause();
  }

  public void resume() {
    if (done) return;
    paused = false;
    lastActivity = System.nanoTime();
    if (watchdog < 0 && idleTimeoutMs > 0) {
      watchdog = vertx.setPeriodic(Math.max(10, idleTimeoutMs / 4), id -> checkIdle());
    }
    response.resume();
  }

  private void checkIdle() {
    if (done) return;
    if (paused) {
      lastActivity = System.nanoTime();
      return;
    }
    long silentMs = (System.nanoTime() - lastActivity) / 1_000_000;
    if (silentMs >= idleTimeoutMs) {
      fail(UpstreamError.of(Kind.TIMEOUT, "no upstream data for " + silentMs + " ms"));
      response.request().reset();
    }
  }

  /** Aborts the upstream exchange (client gone, or we stopped caring). Idempotent. */
  public void cancel() {
    if (done) return;
    done = true;
    stopWatchdog();
    response.request().reset();
  }

  private void stopWatchdog() {
    if (watchdog >= 0) {
      vertx.cancelTimer(watchdog);
      watchdog = -1;
    }
  }

  private void onChunk(Buffer chunk) {
    if (done) return;
    lastActivity = System.nanoTime();
    try {
      decoder.feed(chunk);
    } catch (EventStreamException e) {
      fail(UpstreamError.of(Kind.PROTOCOL, e.getMessage()));
      response.request().reset();
      return;
    }
    if (!done) chunkEndHandler.run();
  }

  private void onEnd() {
    if (done) return;
    if (!decoder.isIdle()) {
      fail(UpstreamError.of(Kind.PROTOCOL, "stream ended inside a frame (" + decoder.bufferedBytes() + " bytes pending)"));
      return;
    }
    done = true;
    stopWatchdog();
    endHandler.handle(null);
  }

  private void fail(UpstreamError error) {
    if (done) return;
    done = true;
    stopWatchdog();
    errorHandler.handle(error);
  }

  /**
   * Maps a transport failure (pool wait, connect, timeout, reset) to its error kind. Our own limits
   * come first: a wait for a pooled connection that timed out or found the queue full is
   * {@link Kind#LOCAL_CAPACITY} (Vert.x reports it as a timeout, which must never cool an account
   * down). A connect failure, timed out or refused, is {@link Kind#CONNECT_FAILED}: the network, not
   * the account.
   */
  /** The client-safe class of a failure to connect, or null when {@code t} is not one. */
  static String unreachableCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.net.UnknownHostException) return "DNS lookup failed";
      if (c instanceof javax.net.ssl.SSLException) return "TLS handshake failed";
      if (c instanceof ConnectException) {
        String m = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
        if (m.contains("timed out")) return "connect timed out";
        return m.contains("refused") ? "connection refused" : "connection failed";
      }
      if (c == c.getCause()) break;
    }
    return null;
  }

  static UpstreamError transportError(Throwable t) {
    return transportError(t, null);
  }

  /** As {@link #transportError(Throwable)}; a connect failure to {@code host} names it and its cause class. */
  static UpstreamError transportError(Throwable t, String host) {
    if (t instanceof UpstreamError u) return u;
    String msg = String.valueOf(t.getMessage());
    if (OutboundHttp.isLocalCapacity(t)) {
      return UpstreamError.localCapacity(t.getClass().getSimpleName() + ": " + msg);
    }
    String unreachable = host == null ? null : unreachableCause(t);
    if (unreachable != null) {
      return UpstreamError.unreachable(host, unreachable, t.getClass().getSimpleName() + ": " + msg);
    }
    if (t instanceof ConnectException || t.getCause() instanceof ConnectException) {
      return UpstreamError.of(Kind.CONNECT_FAILED, t.getClass().getSimpleName() + ": " + msg);
    }
    if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout") || msg.contains("timeout")
        || msg.contains("timed out")) {
      return UpstreamError.of(Kind.TIMEOUT, t.getClass().getSimpleName() + ": " + msg);
    }
    return UpstreamError.of(Kind.CONNECT_FAILED, t.getClass().getSimpleName() + ": " + msg);
  }
}
