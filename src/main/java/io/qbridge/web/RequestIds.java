package io.qbridge.web;

import io.qbridge.ids.RandomIds;
import io.qbridge.telemetry.RequestScope;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Gives every request an id, returned as {@code request-id} (Anthropic's header) and
 * {@code x-request-id} (OpenAI's), and kept on the context so log lines about the request can
 * name it. An incoming {@code x-request-id} from a proxy is kept when it looks sane.
 */
public final class RequestIds implements Handler<RoutingContext> {

  public static final String KEY = "qbridge.requestId";

  @Override
  public void handle(RoutingContext ctx) {
    String incoming = ctx.request().getHeader("x-request-id");
    String id = incoming != null && incoming.matches("[A-Za-z0-9._:-]{1,128}")
        ? incoming : "req_" + RandomIds.hex32();
    ctx.put(KEY, id);
    RequestScope.bind(id); // log lines about this request carry it (RequestIdMdc)
    ctx.response().putHeader("request-id", id).putHeader("x-request-id", id);
    ctx.next();
  }

  /** The id of the request being handled, or "-" outside a request. */
  public static String of(RoutingContext ctx) {
    String id = ctx.get(KEY);
    return id == null ? "-" : id;
  }
}
