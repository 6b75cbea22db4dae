package io.qbridge.relay;

import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.qbridge.upstream.UpstreamErrorClassifier;
import io.qbridge.upstream.UpstreamStream;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/**
 * The data plane: pumps one {@link UpstreamStream} into one client response through a
 * {@link ResponseWriter}, on a single event loop.
 *
 * <ul>
 *   <li>Back-pressure: when the client's write queue is full the upstream read pauses; it resumes
 *       from the response's drain handler. Memory per stream stays bounded by one upstream read.</li>
 *   <li>Commit: headers go out with the first content event (or the first keep-alive), so an
 *       error that arrives before it can still become an HTTP error — or a failover.</li>
 *   <li>Client gone: the upstream request is reset at once.</li>
 *   <li>Local finish: when the writer ended the answer itself (stop sequence, token limit), the
 *       upstream request is reset and the response ends normally.</li>
 * </ul>
 *
 * The returned future fails with the {@link UpstreamError} when the upstream failed before commit
 * (nothing was written; the caller may retry elsewhere) and succeeds with a {@link RelayOutcome}
 * otherwise. It completes exactly once.
 */
public final class StreamRelay {

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final UpstreamStream upstream;
  private final ResponseWriter writer;
  private final long keepAliveMs;
  private final Promise<RelayOutcome> result = Promise.promise();
  private boolean committed;
  /** A flush of what the current read brought is due at the end of this event-loop turn. */
  private boolean flushScheduled;
  private final Context context;
  private long timerId = -1;
  private long lastWriteAt;

  public StreamRelay(Vertx vertx, HttpServerResponse response, UpstreamStream upstream, ResponseWriter writer, long keepAliveMs) {
    this.vertx = vertx;
    this.response = response;
    this.upstream = upstream;
    this.writer = writer;
    this.keepAliveMs = keepAliveMs;
    this.context = vertx.getOrCreateContext();
  }

  public Future<RelayOutcome> run() {
    if (response.closed()) {
      upstream.cancel();
      result.tryComplete(new RelayOutcome(null, false, true));
      return result.future();
    }
    response.closeHandler(v -> onClientGone());
    response.exceptionHandler(t -> onClientGone());
    upstream.handler(this::onEvent).endHandler(v -> onEnd()).errorHandler(this::onError)
        .chunkEndHandler(this::onChunkEnd);
    lastWriteAt = System.nanoTime();
    if (writer.streaming() && keepAliveMs > 0) {
      timerId = vertx.setPeriodic(Math.max(1, keepAliveMs / 2), id -> onTimer());
    }
    upstream.resume();
    return result.future();
  }

  private void onEvent(QEvent event) {
    if (result.future().isComplete()) return;
    if (event instanceof QEvent.StreamException e) {
      UpstreamError error = UpstreamErrorClassifier.classifyStreamException(e);
      upstream.cancel();
      if (error.kind() == UpstreamError.Kind.CONTEXT_TOO_LONG && writer.hasContent()) {
        // output hit the upstream length limit mid-answer: a truncated answer, not a failure (§3.5)
        writer.markTruncated();
        onEnd();
      } else {
        onError(error);
      }
      return;
    }
    if (!committed && writer.streaming() && isContent(event)) commit();
    writer.onEvent(event);
    lastWriteAt = System.nanoTime();
    if (writer.finishedLocally()) {
      upstream.cancel();
      onEnd();
    }
  }

  /**
   * One upstream chunk's events are translated. They are written once the event loop has handled
   * everything this read brought (a task runs after the loop's I/O), not per chunk: Amazon Q's
   * HTTP chunks rarely carry one whole event each, and a read often holds many of them, each of
   * which cost a client write (chunk framing, two buffers, a syscall). Then the client's pace is
   * respected. What waits is bounded by one read of the upstream connection.
   */
  private void onChunkEnd() {
    if (result.future().isComplete() || flushScheduled) return;
    flushScheduled = true;
    context.runOnContext(v -> {
      flushScheduled = false;
      if (result.future().isComplete()) return;
      writer.flush();
      applyBackPressure();
    });
  }

  private static boolean isContent(QEvent e) {
    return e instanceof QEvent.Text || e instanceof QEvent.ToolUse;
  }

  private void commit() {
    committed = true;
    writer.commit();
  }

  private void applyBackPressure() {
    if (response.writeQueueFull()) {
      upstream.pause();
      response.drainHandler(v -> upstream.resume());
    }
  }

  private void onTimer() {
    if (result.future().isComplete()) return;
    if (System.nanoTime() - lastWriteAt < keepAliveMs * 1_000_000L) return;
    // a silent upstream (long thinking) must not look dead to proxies; this gives up failover
    if (!committed) commit();
    writer.keepAlive();
    lastWriteAt = System.nanoTime();
  }

  private void onEnd() {
    if (result.future().isComplete()) return;
    if (!writer.hasContent() && !committed) {
      finish();
      result.tryFail(UpstreamError.of(UpstreamError.Kind.PROTOCOL, "upstream stream ended without content"));
      return;
    }
    if (!committed && writer.streaming()) commit();
    writer.end();
    finish();
    result.tryComplete(new RelayOutcome(null, writer.hasContent(), false));
  }

  private void onError(UpstreamError error) {
    if (result.future().isComplete()) return;
    finish();
    if (!committed) {
      result.tryFail(error);
      return;
    }
    writer.failAfterCommit(error);
    result.tryComplete(new RelayOutcome(error, writer.hasContent(), false));
  }

  private void onClientGone() {
    if (result.future().isComplete()) return;
    upstream.cancel();
    finish();
    result.tryComplete(new RelayOutcome(null, writer.hasContent(), true));
  }

  private void finish() {
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }
}
