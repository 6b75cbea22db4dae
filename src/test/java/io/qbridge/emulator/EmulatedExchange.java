package io.qbridge.emulator;

import io.qbridge.eventstream.EventStreamEncoder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one {@link Scenario} against one accepted chat request. Every method runs on the event
 * loop of the request's connection, except the volatile/atomic getters read by tests.
 *
 * <p>Lifecycle: {@link #start()} → steps in order → exactly one of normal end, own close (cut/hang)
 * or peer gone; each reports once to {@link AmazonQEmulator#streamFinished}. Pending timers are
 * cancelled when the exchange is over.
 */
final class EmulatedExchange {

  /** Coalesced, unsplit bytes are flushed at the latest at this size. */
  private static final int FLUSH_THRESHOLD = 64 * 1024;
  /** The endless writer yields the event loop after this many bytes even if the queue is not full. */
  private static final int ENDLESS_BURST = 256 * 1024;
  /**
   * Endless streams split into pieces of up to 16 KiB: a paused peer lets loopback TCP buffer many
   * MB, and one flush per 100 bytes would take seconds to fill that.
   */
  private static final int ENDLESS_MAX_CHUNK = 16 * 1024;

  private final AmazonQEmulator emulator;
  private final Vertx vertx;
  private final HttpServerRequest request;
  private final HttpServerResponse response;
  private final Scenario scenario;
  private final Random random;
  private final String conversationId;
  private final AtomicLong bytesWritten = new AtomicLong();
  private volatile boolean waitingForDrain;

  private Buffer pending = Buffer.buffer();
  private Future<Void> lastWrite = Future.succeededFuture();
  private int nextStep;
  private boolean headersStarted;
  private boolean done;
  private long timerId = -1;

  EmulatedExchange(AmazonQEmulator emulator, Vertx vertx, HttpServerRequest request, Scenario scenario,
      Random random, String conversationId) {
    this.emulator = emulator;
    this.vertx = vertx;
    this.request = request;
    this.response = request.response();
    this.scenario = scenario;
    this.random = random;
    this.conversationId = conversationId;
  }

  long bytesWritten() {
    return bytesWritten.get();
  }

  boolean waitingForDrain() {
    return waitingForDrain;
  }

  void start() {
    response.closeHandler(v -> peerGone());
    response.exceptionHandler(t -> peerGone());
    pump();
  }

  /** Runs synchronous steps until one schedules its own continuation or the scenario ends. */
  private void pump() {
    while (!done) {
      if (nextStep == scenario.steps.size()) {
        finish();
        return;
      }
      if (run(scenario.steps.get(nextStep++))) {
        return;
      }
    }
  }

  /** Executes one step; {@code true} when it scheduled the continuation itself (or ended the exchange). */
  private boolean run(Scenario.Step step) {
    if (step instanceof Scenario.DelayBeforeHeaders d) {
      later(d.ms(), this::pump);
      return true;
    }
    if (step instanceof Scenario.HangBeforeHeaders h) {
      if (h.ms() >= 0) {
        later(h.ms(), this::closeConnection);
      }
      return true;
    }
    if (step instanceof Scenario.HttpError e) {
      done = true;
      AwsResponses.send(response, e.status(), AwsResponses.AMZ_JSON, e.body(), null, e.headers());
      emulator.streamFinished(this, false);
      return true;
    }
    startBody();
    if (step instanceof Scenario.Frame f) {
      return emitAfter(f.bytes(), f.delayMs());
    }
    if (step instanceof Scenario.Raw r) {
      return emitAfter(r.bytes(), r.delayMs());
    }
    if (step instanceof Scenario.Silence s) {
      flush();
      later(s.ms(), this::pump);
      return true;
    }
    if (step instanceof Scenario.Cut c) {
      // close only once the half frame is on the wire, otherwise Netty may drop it
      emit(c.frame().getBuffer(0, c.frame().length() / 2));
      flush().onComplete(ar -> closeConnection());
      return true;
    }
    Scenario.Endless e = (Scenario.Endless) step;
    flush();
    writeEndless(EventStreamEncoder.event("assistantResponseEvent",
        new JsonObject().put("content", "x".repeat(e.fragmentSize())).encode()));
    return true;
  }

  /** 200 + event-stream headers and the {@code initial-response} frame, once. */
  private void startBody() {
    if (headersStarted) {
      return;
    }
    headersStarted = true;
    response.setStatusCode(200)
        .putHeader("content-type", AmazonQEmulator.EVENTSTREAM_CONTENT_TYPE)
        .putHeader("x-amzn-requestid", UUID.randomUUID().toString())
        .setChunked(true);
    if (scenario.initialResponse) {
      emit(EventStreamEncoder.event("initial-response",
          new JsonObject().put("conversationId", conversationId).encode()));
    } else {
      response.writeHead();
    }
  }

  private boolean emitAfter(Buffer bytes, long delayMs) {
    if (delayMs > 0) {
      flush();
      later(delayMs, () -> {
        emit(bytes);
        pump();
      });
      return true;
    }
    emit(bytes);
    if (pending.length() >= FLUSH_THRESHOLD) {
      flush();
      if (response.writeQueueFull()) {
        awaitDrain(this::pump);
        return true;
      }
    }
    return false;
  }

  /** Split mode: coalesce until the next flush. No-split mode: one write (one HTTP chunk) per call. */
  private void emit(Buffer bytes) {
    if (scenario.split) {
      pending.appendBuffer(bytes);
    } else {
      write(bytes);
    }
  }

  /** Writes the coalesced bytes in random pieces of 1..maxChunk bytes; returns the future of the last write so far. */
  private Future<Void> flush() {
    return flush(scenario.maxChunk);
  }

  private Future<Void> flush(int maxChunk) {
    Buffer out = pending;
    pending = Buffer.buffer();
    int pos = 0;
    while (pos < out.length()) {
      int n = Math.min(out.length() - pos, 1 + random.nextInt(maxChunk));
      write(out.getBuffer(pos, pos + n));
      pos += n;
    }
    return lastWrite;
  }

  private Future<Void> write(Buffer bytes) {
    if (done) {
      return Future.failedFuture("exchange over");
    }
    bytesWritten.addAndGet(bytes.length());
    emulator.countBytes(bytes.length());
    try {
      lastWrite = response.write(bytes);
    } catch (IllegalStateException e) {
      lastWrite = Future.failedFuture(e);
    }
    return lastWrite;
  }

  private void writeEndless(Buffer frame) {
    waitingForDrain = false;
    int burst = 0;
    while (!done && !response.writeQueueFull()) {
      emit(frame);
      flush(Math.max(scenario.maxChunk, ENDLESS_MAX_CHUNK));
      burst += frame.length();
      if (burst >= ENDLESS_BURST) {
        vertx.runOnContext(v -> writeEndless(frame));
        return;
      }
    }
    if (!done) {
      awaitDrain(() -> writeEndless(frame));
    }
  }

  private void awaitDrain(Runnable then) {
    waitingForDrain = true;
    response.drainHandler(v -> {
      response.drainHandler(null);
      waitingForDrain = false;
      if (!done) {
        then.run();
      }
    });
  }

  private void later(long ms, Runnable action) {
    timerId = vertx.setTimer(Math.max(1, ms), id -> {
      timerId = -1;
      if (!done) {
        action.run();
      }
    });
  }

  private void finish() {
    startBody();
    flush();
    done = true;
    response.end();
    emulator.streamFinished(this, false);
  }

  /** Abrupt close initiated by the scenario (cut, hang): not counted as a peer close. */
  private void closeConnection() {
    if (done) {
      return;
    }
    done = true;
    cancelTimer();
    request.connection().close();
    emulator.streamFinished(this, false);
  }

  private void peerGone() {
    if (done) {
      return;
    }
    done = true;
    waitingForDrain = false;
    cancelTimer();
    emulator.streamFinished(this, true);
  }

  private void cancelTimer() {
    if (timerId != -1) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }
}
