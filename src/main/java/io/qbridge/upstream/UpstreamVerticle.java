package io.qbridge.upstream;

import io.qbridge.account.AccountPoolClient;
import io.qbridge.bus.Addresses;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the upstream-wide control plane: OIDC token refresh and device login. Answers on
 * {@link Addresses#UPSTREAM_TOKEN_REFRESH} and {@code upstream.login.*} ({@link DeviceLogins}).
 * The chat data plane does not pass through here: each HTTP verticle streams with its own
 * {@link UpstreamClient}. Deploy <b>one</b> instance: device-login sessions live in its memory.
 */
public final class UpstreamVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(UpstreamVerticle.class);

  private final AppConfig config;
  private final UpstreamTemplate template;
  private HttpClientAgent http;
  private final DeviceLogins.Settings loginSettings;
  private OidcClient oidc;
  private DeviceLogins logins;

  public UpstreamVerticle(AppConfig config, UpstreamTemplate template) {
    this(config, template, DeviceLogins.Settings.from(config));
  }

  /** With device-login timings other than the configured ones (tests). */
  UpstreamVerticle(AppConfig config, UpstreamTemplate template, DeviceLogins.Settings loginSettings) {
    this.config = config;
    this.template = template;
    this.loginSettings = loginSettings;
  }

  @Override
  public Future<?> start() {
    http = OutboundHttp.create(vertx, config, 16);
    oidc = new OidcClient(http, config, template);
    logins = new DeviceLogins(vertx, oidc, new AccountPoolClient(vertx)::create, loginSettings);
    return Future.all(List.of(
        vertx.eventBus().<JsonObject>consumer(Addresses.UPSTREAM_TOKEN_REFRESH, this::refresh).completion(),
        consume(Addresses.UPSTREAM_LOGIN_START, logins::start),
        consume(Addresses.UPSTREAM_LOGIN_STATUS, body -> Future.succeededFuture(logins.status(body.getString("authId")))),
        consume(Addresses.UPSTREAM_LOGIN_CLAIM, body -> logins.claim(body.getString("authId")))));
  }

  @Override
  public Future<?> stop() {
    if (logins != null) logins.close();
    return http == null ? Future.succeededFuture() : http.close();
  }

  /** A login consumer: JSON object bodies in, {@link DeviceLogins.Failure} → {@code message.fail}. */
  private Future<Void> consume(String address, Function<JsonObject, Future<JsonObject>> handler) {
    return vertx.eventBus().<Object>consumer(address, msg -> {
      Future<JsonObject> result;
      try {
        if (!(msg.body() instanceof JsonObject body)) {
          throw new DeviceLogins.Failure(BusFailure.BAD_REQUEST, "Message body must be a JSON object");
        }
        result = handler.apply(body);
      } catch (RuntimeException e) {
        result = Future.failedFuture(e);
      }
      result.onSuccess(msg::reply).onFailure(err -> {
        if (err instanceof DeviceLogins.Failure f) {
          msg.fail(f.failure.code(), f.getMessage());
        } else {
          log.error("{}: unexpected failure", address, err);
          msg.fail(BusFailure.INTERNAL.code(), "Internal device login error");
        }
      });
    }).completion();
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
          boolean local = t instanceof OidcException o && OidcClient.LOCAL_CAPACITY.equals(o.error());
          log.warn("token refresh failed for account {}: {}", accountId, t.getMessage());
          if (local) {
            msg.fail(BusFailure.LOCAL_CAPACITY.code(), "token refresh not attempted: the gateway is at capacity");
            return;
          }
          msg.fail((invalidGrant ? BusFailure.INVALID_GRANT : BusFailure.REFRESH_FAILED).code(),
              invalidGrant ? "refresh token rejected (invalid_grant)" : "token refresh failed: " + t.getMessage());
        });
  }
}
