package io.qbridge.http.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sessions live in the shared database: while it cannot be reached the guard answers 503 and keeps
 * the cookie (the session may well be valid), instead of a 401 that would sign the console out;
 * the admin key still works, and an unreadable lockout does not lock anyone out.
 */
@ExtendWith(VertxExtension.class)
class SessionStoreOutageTest {

  static final String KEY = "outage-key";

  /** A store whose database is away. */
  static final class Unreachable implements SessionStore, AuthLockout {
    private static <T> Future<T> down() {
      return Future.failedFuture(new IllegalStateException("connection refused"));
    }

    @Override public Future<Session> create(String clientAddress) { return down(); }
    @Override public Future<Optional<Session>> find(String id) { return down(); }
    @Override public Future<Void> delete(String id) { return down(); }
    @Override public Future<Long> retryAfterSeconds(String client) { return down(); }
    @Override public Future<Void> recordFailure(String client) { return down(); }
  }

  @Test
  void anUnreachableSessionStoreIs503AndKeepsTheCookieWhileTheKeyStillWorks(Vertx vertx) throws Exception {
    Unreachable down = new Unreachable();
    AdminSecurity security = new AdminSecurity(KEY, down, down, List.of(), 3600, false);
    Router router = Router.router(vertx);
    router.route("/v2/*").handler(security.guard(io.qbridge.web.ErrorShape.OPENAI, new io.qbridge.audit.AuditClient(vertx)));
    router.get("/v2/x").handler(ctx -> ctx.end("ok"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    HttpClientAgent client = vertx.createHttpClient();

    Reply withCookie = get(vertx, client, server.actualPort(), "cookie", AdminSecurity.COOKIE + "=abc");
    assertThat(withCookie.status).isEqualTo(503);
    assertThat(withCookie.setCookie).as("the cookie is not cleared").isNull();
    assertThat(withCookie.body).contains("unavailable");
    assertThat(get(vertx, client, server.actualPort(), "x-admin-key", KEY).status).isEqualTo(200);
    assertThat(get(vertx, client, server.actualPort(), "x-admin-key", "wrong").status).isEqualTo(401);
    client.close().await();
    server.close().await();
  }

  record Reply(int status, String setCookie, String body) {}

  private static Reply get(Vertx vertx, HttpClientAgent client, int port, String header, String value) throws Exception {
    Promise<Reply> p = Promise.promise();
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port).setURI("/v2/x")
        .putHeader(header, value);
    vertx.runOnContext(v -> client.request(o).compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.getHeader("set-cookie"), b.toString())))
        .onComplete(p));
    return p.future().await(10, TimeUnit.SECONDS);
  }
}
