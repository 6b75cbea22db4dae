package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.emulator.Credentials;
import io.qbridge.emulator.Scenario;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** HTTP_PROXY carries every outbound call: the OIDC refresh and the Amazon Q stream. */
@ExtendWith(VertxExtension.class)
class HttpProxyTest {

  @TempDir Path dir;
  TestGateway gw;
  HttpServer proxy;
  HttpClientAgent forwarder;
  final List<String> proxied = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
    if (proxy != null) proxy.close().await();
    if (forwarder != null) forwarder.close().await();
  }

  /** A minimal forward proxy: absolute-form requests are relayed, with basic auth required. */
  private int startProxy(Vertx vertx) {
    forwarder = vertx.createHttpClient();
    proxy = vertx.createHttpServer().requestHandler(req -> {
      if (!"Basic dXNlcjpwYXNz".equals(req.getHeader("proxy-authorization"))) {
        req.response().setStatusCode(407).putHeader("proxy-authenticate", "Basic").end();
        return;
      }
      proxied.add(req.method() + " " + req.uri());
      req.pause();
      RequestOptions out = new RequestOptions().setMethod(req.method()).setAbsoluteURI(req.uri());
      req.headers().forEach((k, v) -> {
        if (!k.equalsIgnoreCase("proxy-authorization") && !k.equalsIgnoreCase("proxy-connection")) out.addHeader(k, v);
      });
      forwarder.request(out)
          .compose(o -> {
            Future<io.vertx.core.http.HttpClientResponse> resp = o.response();
            req.pipeTo(o);
            return resp;
          })
          .onSuccess(resp -> {
            req.response().setStatusCode(resp.statusCode());
            resp.headers().forEach((k, v) -> req.response().headers().add(k, v));
            resp.pipeTo(req.response());
          })
          .onFailure(t -> req.response().setStatusCode(502).end());
    }).listen(0, "127.0.0.1").await();
    return proxy.actualPort();
  }

  @Test
  void refreshAndChatGoThroughTheProxy(Vertx vertx) {
    int port = startProxy(vertx);
    gw = TestGateway.start(vertx, dir, Map.of("HTTP_PROXY", "http://user:pass@127.0.0.1:" + port));
    Credentials c = gw.emulator.oidc().newAccount();
    gw.postJson("/v2/accounts", new JsonObject().put("clientId", c.clientId())
        .put("clientSecret", c.clientSecret()).put("refreshToken", c.refreshToken()));
    gw.emulator.enqueue(Scenario.text("via proxy"));
    JsonObject body = new JsonObject().put("model", "claude-sonnet-4.5").put("max_tokens", 10)
        .put("messages", new JsonArray().add(new JsonObject().put("role", "user").put("content", "hi")));
    TestGateway.Response r = gw.postJson("/v1/messages", body);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonArray("content").getJsonObject(0).getString("text")).isEqualTo("via proxy");
    assertThat(proxied).anyMatch(s -> s.startsWith("POST ") && s.endsWith("/oidc/token"));
    assertThat(proxied).anyMatch(s -> s.equals("POST " + gw.emulator.chatEndpoint()));
  }

  @Test
  void deviceLoginGoesThroughTheProxy(Vertx vertx) {
    int port = startProxy(vertx);
    gw = TestGateway.start(vertx, dir, Map.of("HTTP_PROXY", "http://user:pass@127.0.0.1:" + port));
    gw.emulator.oidc().setPendingPollsBeforeApproval(0);
    TestGateway.Response started = gw.postJson("/v2/auth/start", new JsonObject());
    assertThat(started.status()).isEqualTo(200);
    TestGateway.Response claimed = gw.request(io.vertx.core.http.HttpMethod.POST,
        "/v2/auth/claim/" + started.json().getString("authId"), null, null);
    assertThat(claimed.status()).isEqualTo(201);
    assertThat(proxied).contains("POST " + gw.emulator.oidcEndpoint() + "/client/register",
        "POST " + gw.emulator.oidcEndpoint() + "/device_authorization",
        "POST " + gw.emulator.oidcEndpoint() + "/token");
  }
}
