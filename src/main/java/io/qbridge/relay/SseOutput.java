package io.qbridge.relay;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Coalesces the SSE frames produced from one upstream chunk into a single response write. One
 * upstream chunk often holds several events; writing each separately cost a chunk header, a
 * flush and a syscall apiece. The relay flushes at the end of every upstream chunk (and the
 * writers on keep-alives and at the end), so no event waits longer than the chunk it came in.
 * Event-loop confined.
 */
public final class SseOutput {

  private final HttpServerResponse response;
  private Buffer pending;

  public SseOutput(HttpServerResponse response) {
    this.response = response;
  }

  /**
   * Queues bytes for the next {@link #flush()}. The frame is the output's from then on (the first
   * of a flush is written as is, the next ones appended to it): pass a fresh buffer, never a
   * shared constant. Most flushes carry one frame, which then costs no copy.
   */
  public void write(Buffer frame) {
    if (pending == null) pending = frame;
    else pending.appendBuffer(frame);
  }

  /** Whether bytes are queued for the next flush. */
  public boolean pending() {
    return pending != null && pending.length() > 0;
  }

  /** Writes what is queued, if anything. */
  public void flush() {
    if (pending == null || pending.length() == 0) return;
    Buffer out = pending;
    pending = null;
    response.write(out);
  }

  /** Queues {@code last} and ends the response with everything still queued. */
  public void end(Buffer last) {
    write(last);
    Buffer out = pending;
    pending = null;
    response.end(out);
  }

  /** Ends the response with everything still queued. */
  public void end() {
    if (pending == null) {
      response.end();
    } else {
      Buffer out = pending;
      pending = null;
      response.end(out);
    }
  }
}
