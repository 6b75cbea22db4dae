package io.qbridge.testsupport;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs an asynchronous operation on a given Vert.x context from a test thread: components confined
 * to a verticle's context (stores, refreshers, device logins) must be called there, never from the
 * JUnit thread.
 */
public final class OnContext {

  private OnContext() {}

  /** Runs {@code op} on {@code ctx} and waits (10 s at most) for its result. */
  public static <T> T on(Context ctx, Supplier<Future<T>> op) {
    return await(onLater(ctx, op));
  }

  /** Runs {@code op} on {@code ctx}; its outcome, also when {@code op} throws. */
  public static <T> Future<T> onLater(Context ctx, Supplier<Future<T>> op) {
    Promise<T> p = Promise.promise();
    ctx.runOnContext(v -> {
      try {
        op.get().onComplete(p);
      } catch (RuntimeException e) {
        p.fail(e);
      }
    });
    return p.future();
  }

  /** The future's result within 10 s, else an assertion error. */
  public static <T> T await(Future<T> f) {
    try {
      return f.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no result within 10 s");
    }
  }
}
