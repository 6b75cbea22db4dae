package io.qbridge.web;

import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the work whose cost grows with the request body (JSON parsing, conversion, token counting,
 * building the Amazon Q request) where it cannot stall the event loop: inline for bodies up to
 * {@value #INLINE_MAX_BYTES} bytes, where it costs a few milliseconds at worst (an unbroken word
 * tokenises at about 0.35 ms per KB), and on a dedicated worker pool above. The result always
 * continues on the calling event loop.
 *
 * <p>The pool is qbridge's own ({@code qbridge-body-work}, one thread per core), so a flood of huge
 * bodies cannot starve the pool Vert.x uses for other blocking work; and the bytes waiting for or
 * in work are capped per HTTP verticle, above which the request is refused at once with 503 and
 * {@code Retry-After: 1}: a local limit, no account is involved. Event-loop confined: one per
 * HTTP verticle.
 */
public final class BodyWork {

  /** Largest body prepared on the event loop; measured, see the class comment. */
  public static final int INLINE_MAX_BYTES = 32 * 1024;
  public static final String POOL_NAME = "qbridge-body-work";

  private final WorkerExecutor workers;
  private final long maxQueuedBytes;
  private long queuedBytes;

  /** @param maxQueuedBytes bytes of bodies allowed in work or waiting for it at once (on this verticle) */
  public BodyWork(WorkerExecutor workers, long maxQueuedBytes) {
    this.workers = workers;
    this.maxQueuedBytes = maxQueuedBytes;
  }

  /** Applies {@code job} to the request body; a failure ({@link GatewayException} included) fails the future. */
  public <T> Future<T> run(RoutingContext ctx, Function<Buffer, T> job) {
    Buffer body = Bodies.buffer(ctx);
    return run(body.length(), () -> job.apply(body));
  }

  /**
   * Runs {@code job}, whose cost grows with {@code bytes} of request data (e.g. a parsed body plus a
   * stored conversation it continues), inline when small and on the pool when large.
   */
  public <T> Future<T> run(long bytes, Supplier<T> job) {
    if (bytes <= INLINE_MAX_BYTES) {
      try {
        return Future.succeededFuture(job.get());
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }
    if (queuedBytes + bytes > maxQueuedBytes) {
      return Future.failedFuture(new GatewayException(503, ErrorType.OVERLOADED,
          "qbridge is busy reading other large requests; retry shortly", 1));
    }
    queuedBytes += bytes;
    return workers.executeBlocking(job::get, false).andThen(done -> queuedBytes -= bytes);
  }
}
