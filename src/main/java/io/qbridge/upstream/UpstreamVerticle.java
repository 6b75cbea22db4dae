package io.qbridge.upstream;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
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

  private final AppConfig.Upstream config;
  private final AppConfig.DeviceLogin deviceLogin;
  private final UpstreamTemplate template;
  private HttpClientAgent http;
  private final Function<Vertx, Timekeeper> timekeeper;
  private OidcClient oidc;
  private DeviceLogins logins;

  /**
   * @param timekeeper the clock and timers device logins follow ({@code Timekeeper::system} in production)
   */
  public UpstreamVerticle(AppConfig.Upstream config, AppConfig.DeviceLogin deviceLogin, UpstreamTemplate template,
      Function<Vertx, Timekeeper> timekeeper) {
    this.config = config;
    this.deviceLogin = deviceLogin;
    this.template = template;
    this.timekeeper = timekeeper;
  }

  @Override
  public Future<?> start() {
    http = OutboundHttp.create(vertx, config, 16);
    oidc = new OidcClient(http, config, template);
    logins = new DeviceLogins(timekeeper.apply(vertx), oidc, new AccountPoolClient(vertx)::create,
        DeviceLogins.Settings.from(deviceLogin));
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.UPSTREAM_TOKEN_REFRESH, this::refresh),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_START, logins::start),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_STATUS, body -> Future.succeededFuture(logins.status(body.getString("authId")))),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_CLAIM, body -> logins.claim(body.getString("authId")))));
  }

  @Override
  public Future<?> stop() {
    if (logins != null) logins.close();
    return http == null ? Future.succeededFuture() : http.close();
  }

  /**
   * {@code upstream.token.refresh}: one refresh_token grant. A failure carries what it means for
   * the account: a revoked refresh token disables it, a refresh that could not even get a
   * connection (our capacity) charges nothing, any other failure counts one.
   */
  private Future<JsonObject> refresh(JsonObject b) {
    String accountId = b.getString("accountId");
    return oidc.refresh(b.getString("clientId"), b.getString("clientSecret"), b.getString("refreshToken"))
        .recover(t -> {
          log.warn("token refresh failed for account {}: {}", accountId, t.getMessage());
          return Future.failedFuture(refreshFailure(t));
        })
        .compose(token -> {
          if (token.getString("accessToken") == null) {
            return Future.failedFuture(new BusError(BusFailure.REFRESH_FAILED, "OIDC answered without an access token"));
          }
          JsonObject reply = new JsonObject()
              .put("accessToken", token.getString("accessToken"))
              .put("expiresIn", token.getValue("expiresIn") instanceof Number n ? n.longValue() : 3600L);
          if (token.getString("refreshToken") != null) reply.put("refreshToken", token.getString("refreshToken"));
          return Future.succeededFuture(reply);
        });
  }

  private static BusError refreshFailure(Throwable t) {
    if (t instanceof OidcException o && o.isInvalidGrant()) {
      return new BusError(BusFailure.INVALID_GRANT, "refresh token rejected (invalid_grant)");
    }
    if (t instanceof OidcException o && OidcClient.LOCAL_CAPACITY.equals(o.error())) {
      return new BusError(BusFailure.LOCAL_CAPACITY, "token refresh not attempted: the gateway is at capacity");
    }
    return new BusError(BusFailure.REFRESH_FAILED, "token refresh failed: " + t.getMessage());
  }
}
