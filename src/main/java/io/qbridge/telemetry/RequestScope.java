package io.qbridge.telemetry;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;

/**
 * The request id as Vert.x context-local data. Vert.x runs each HTTP request on its own
 * <em>duplicated</em> context, and every callback of that request (event-bus replies, upstream
 * HTTP responses, timers it set) runs on that same context, so a value stored there follows the
 * request across its async hops and cannot leak into another request served by the same event
 * loop, as a thread-local would.
 *
 * <p>A {@link ContextLocal} must be registered before a Vert.x instance is created; Vert.x
 * discovers {@link VertxServiceProvider}s first (META-INF/services), which is why this class is
 * one: the documented registration path, even though its {@code init} signature names an internal
 * type. It adds nothing to the Vert.x builder.
 */
public final class RequestScope implements VertxServiceProvider {

  private static final ContextLocal<String> REQUEST_ID = ContextLocal.registerLocal(String.class);

  @Override
  public void init(VertxBootstrap builder) {
    // registration happens in the static initializer above; nothing to configure
  }

  /** Binds {@code id} to the current (per-request, duplicated) context. */
  public static void bind(String id) {
    Context c = Vertx.currentContext();
    if (c != null) c.putLocal(REQUEST_ID, id);
  }

  /** The id of the request whose context runs the caller, or {@code null} outside a request. */
  public static String requestId() {
    Context c = Vertx.currentContext();
    return c == null ? null : c.getLocal(REQUEST_ID);
  }
}
