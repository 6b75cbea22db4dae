package io.qbridge.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request id in the MDC follows the request's Vert.x context across async hops, for requests
 * interleaved on one event loop, and is absent from lines logged outside any request afterwards.
 */
@ExtendWith(VertxExtension.class)
class RequestIdMdcTest {

  private static final Logger log = LoggerFactory.getLogger("io.qbridge.test.mdc");

  @Test
  void idFollowsEachRequestAcrossTimersAndNeverLeaks(Vertx vertx) throws Exception {
    try (LogCapture capture = new LogCapture("io.qbridge.test.mdc", Level.INFO)) {
      Context serverContext = vertx.getOrCreateContext();
      HttpServer server = Future.<HttpServer>future(p -> serverContext.runOnContext(v ->
          vertx.createHttpServer().requestHandler(req -> {
            RequestScope.bind(req.getHeader("x-id"));
            log.info("start {}", req.getHeader("x-id"));
            // two async hops, interleaving with the other requests on the same event loop
            vertx.setTimer(20, t -> {
              log.info("timer {}", req.getHeader("x-id"));
              vertx.setTimer(5, t2 -> {
                log.info("end {}", req.getHeader("x-id"));
                req.response().end();
              });
            });
          }).listen(0, "127.0.0.1").onComplete(p))).await(10, TimeUnit.SECONDS);

      HttpClientAgent client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(8));
      Future<?> all = Future.future(p -> vertx.runOnContext(v -> {
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          String id = "req-" + i;
          calls.add(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
              .compose(r -> r.putHeader("x-id", id).send()).compose(r -> r.body()));
        }
        Future.all(calls).onComplete(ar -> p.complete());
      }));
      all.await(10, TimeUnit.SECONDS);
      Future.<Void>future(p -> serverContext.runOnContext(v -> {
        log.info("outside any request");
        p.complete();
      })).await(10, TimeUnit.SECONDS);

      assertThat(capture.events).hasSize(8 * 3 + 1);
      for (ILoggingEvent e : capture.events) {
        String message = e.getFormattedMessage();
        String id = e.getMDCPropertyMap().get(RequestIdMdc.KEY);
        if (message.equals("outside any request")) assertThat(id).isNull();
        else assertThat(message).endsWith(" " + id);
      }
      client.close().await();
      server.close().await();
    }
  }
}
