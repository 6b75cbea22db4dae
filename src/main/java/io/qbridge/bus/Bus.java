package io.qbridge.bus;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way to serve and to call a bus address: JSON object requests, replies or
 * {@link BusError}s. Consumers run on the registering verticle's event loop.
 */
public final class Bus {

  private static final Logger log = LoggerFactory.getLogger(Bus.class);

  private Bus() {}

  /**
   * Serves {@code address} with {@code handler}: the request body is a JSON object (absent = empty;
   * anything else fails BAD_REQUEST); the handler's result is the reply; a {@link BusError} it
   * fails with (or throws) is the failure; any other exception is logged and fails INTERNAL, so
   * no internals leak to the requester. Completes when the registration is effective.
   */
  public static Future<Void> consume(Vertx vertx, String address, Function<JsonObject, Future<?>> handler) {
    return vertx.eventBus().<Object>consumer(address, msg -> {
      Future<?> result;
      try {
        if (msg.body() != null && !(msg.body() instanceof JsonObject)) {
          throw new BusError(BusFailure.BAD_REQUEST, "Message body must be a JSON object");
        }
        result = handler.apply(msg.body() == null ? new JsonObject() : (JsonObject) msg.body());
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onComplete(ar -> reply(msg, ar));
    }).completion();
  }

  /** Replies the result, or fails with it as described in {@link #consume}. */
  public static void reply(Message<?> msg, AsyncResult<?> result) {
    if (result.succeeded()) {
      msg.reply(result.result());
    } else if (result.cause() instanceof BusError error) {
      msg.reply(error); // in-process, the requester receives this very instance, fields included
    } else {
      log.error("{}: unexpected failure", msg.address(), result.cause());
      msg.reply(new BusError(BusFailure.INTERNAL, "Internal error"));
    }
  }

  /**
   * Sends a one-way message: no reply is expected, so no reply handler or timeout timer is set up.
   * A consumer served by {@link #consume} handles it as a request whose reply goes nowhere (its
   * failures are its own to log). Messages of one sender reach a consumer in the order sent.
   */
  public static void send(EventBus bus, String address, JsonObject body) {
    bus.send(address, body);
  }

  /** Sends a request; the reply body, or a {@link BusError} (see {@link BusError#from}). */
  public static <T> Future<T> request(EventBus bus, String address, JsonObject body, DeliveryOptions options,
      String service) {
    return bus.<T>request(address, body, options)
        .map(Message::body)
        .recover(err -> Future.failedFuture(BusError.from(err, service)));
  }
}
