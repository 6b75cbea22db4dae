package io.qbridge.upstream;

import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the upstream-wide control plane: OIDC token refresh (and, later, device login). Answers on
 * {@link Addresses#UPSTREAM_TOKEN_REFRESH}. The chat data plane does not pass through here: each
 * HTTP verticle streams with its own {@link UpstreamClient}.
 */
public final class UpstreamVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(UpstreamVerticle.class);

  private final AppConfig config;
  private final UpstreamTemplate template;
  private HttpClientAgent http;
  private OidcClient oidc;

  public UpstreamVerticle(AppConfig config, UpstreamTemplate template) {
    this.config = config;
    this.template = template;
  }

  @Override
  public Future<?> start() {
    http = OutboundHttp.create(vertx, config, 16);
    oidc = new OidcClient(http, config, template);
    return vertx.eventBus().<JsonObject>consumer(Addresses.UPSTREAM_TOKEN_REFRESH, this::refresh).completion();
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }

  private void refresh(Message<JsonObject> msg) {
    JsonObject b = msg.body();
    String accountId = b.getString("accountId");
    oidc.refresh(b.getString("clientId"), b.getString("clientSecret"), b.getString("refreshToken"))
        .onSuccess(token -> {
          if (token.getString("accessToken") == null) {
            msg.fail(BusFailure.REFRESH_FAILED.code(), "OIDC answered without an access token");
            return;
          }
          JsonObject reply = new JsonObject()
              .put("accessToken", token.getString("accessToken"))
              .put("expiresIn", token.getValue("expiresIn") instanceof Number n ? n.longValue() : 3600L);
          if (token.getString("refreshToken") != null) reply.put("refreshToken", token.getString("refreshToken"));
          msg.reply(reply);
        })
        .onFailure(t -> {
          boolean invalidGrant = t instanceof OidcException o && o.isInvalidGrant();
          log.warn("token refresh failed for account {}: {}", accountId, t.getMessage());
          msg.fail((invalidGrant ? BusFailure.INVALID_GRANT : BusFailure.REFRESH_FAILED).code(),
              invalidGrant ? "refresh token rejected (invalid_grant)" : "token refresh failed: " + t.getMessage());
        });
  }
}
