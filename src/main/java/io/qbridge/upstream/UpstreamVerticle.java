package io.qbridge.upstream;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Addresses;
import io.qbridge.bus.Bus;
import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.secrets.SecretCipher;
import io.qbridge.store.Database;
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
 * Owns the upstream-wide control plane: OIDC token refresh, device login, and the account
 * information calls ({@code ListAvailableModels}, {@code GetUsageLimits}, {@link RuntimeClient}).
 * Answers on {@link Addresses#UPSTREAM_TOKEN_REFRESH}, {@code upstream.login.*} ({@link DeviceLogins}),
 * {@link Addresses#UPSTREAM_MODELS_LIST} and {@link Addresses#UPSTREAM_USAGE_GET}.
 * The chat data plane does not pass through here: each HTTP verticle streams with its own
 * {@link UpstreamClient}. Deploy <b>one</b> instance per process. Device-login sessions are kept in
 * the shared database ({@link SqlDeviceLoginStore}), so every qbridge instance on it can read and
 * claim them.
 */
public final class UpstreamVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(UpstreamVerticle.class);

  private final AppConfig.Upstream config;
  private final AppConfig.DeviceLogin deviceLogin;
  private final UpstreamTemplate template;
  private HttpClientAgent http;
  private final Function<Vertx, Timekeeper> timekeeper;
  private OidcClient oidc;
  private RuntimeClient runtime;
  private DeviceLogins logins;
  private final AppConfig.Pool storage;
  private final String instanceId;
  private Database database;

  /**
   * @param timekeeper  the clock and timers device logins follow ({@code Timekeeper::system} in production)
   * @param store       DATABASE_URL: where device-login sessions are kept; SECRETS_KEY (and
   *                    SECRETS_KEY_PREVIOUS): their secrets are kept encrypted while pending
   * @param instanceId  this qbridge instance's name as the poller of its device logins
   */
  public UpstreamVerticle(AppConfig.Upstream config, AppConfig.DeviceLogin deviceLogin, UpstreamTemplate template,
      Function<Vertx, Timekeeper> timekeeper, AppConfig.Pool store, String instanceId) {
    this.config = config;
    this.deviceLogin = deviceLogin;
    this.template = template;
    this.timekeeper = timekeeper;
    this.storage = store;
    this.instanceId = instanceId;
  }

  /** With SECRETS_KEY set, pending logins' secrets are sealed (the cipher is built off the event loop). */
  private Future<DeviceLoginStore> encryptedWhenKeyed(DeviceLoginStore plain) {
    if (storage.secretsKey().isEmpty()) return Future.succeededFuture(plain);
    return vertx.executeBlocking(() -> new EncryptedDeviceLoginStore(plain,
        new SecretCipher(storage.secretsKey(), storage.secretsKeyPrevious())));
  }

  @Override
  public Future<?> start() {
    http = OutboundHttp.create(vertx, config, 16);
    oidc = new OidcClient(http, config, template);
    runtime = new RuntimeClient(http, config.amazonqEndpoint(), (int) OutboundHttp.acquireTimeoutMs(config),
        Math.min(config.headersTimeoutMs(), config.idleTimeoutMs()), template);
    return Database.open(vertx, storage.databaseUrl(), 1, "device-logins")
        .compose(db -> {
          database = db;
          return SqlDeviceLoginStore.open(db);
        })
        .compose(this::encryptedWhenKeyed)
        .compose(store -> {
          logins = new DeviceLogins(timekeeper.apply(vertx), oidc, new AccountPoolClient(vertx)::create,
              DeviceLogins.Settings.from(deviceLogin), store, instanceId);
          return registerConsumers();
        })
        .recover(err -> (database == null ? Future.<Void>succeededFuture() : database.close())
            .transform(ignored -> Future.failedFuture(err)));
  }

  private Future<?> registerConsumers() {
    return Future.all(List.of(
        Bus.consume(vertx, Addresses.UPSTREAM_TOKEN_REFRESH, this::refresh),
        Bus.consume(vertx, Addresses.UPSTREAM_MODELS_LIST,
            b -> runtimeReply("catalog", runtime.listAvailableModels(b.getString("accessToken")).map(c -> c.toJson()))),
        Bus.consume(vertx, Addresses.UPSTREAM_USAGE_GET,
            b -> runtimeReply("usage", runtime.getUsageLimits(b.getString("accessToken")).map(u -> u.toJson()))),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_START, logins::start),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_STATUS, body -> logins.status(body.getString("authId"))),
        Bus.consume(vertx, Addresses.UPSTREAM_LOGIN_CLAIM, body -> logins.claim(body.getString("authId")))));
  }

  @Override
  public Future<?> stop() {
    Future<Void> handedOver = logins == null ? Future.succeededFuture() : logins.close();
    return handedOver
        .eventually(() -> database == null ? Future.succeededFuture() : database.close())
        .eventually(() -> http == null ? Future.succeededFuture() : http.close());
  }

  /**
   * {@code upstream.token.refresh}: one refresh_token grant. A failure carries what it means for
   * the account: a revoked refresh token disables it, a refresh that could not even get a
   * connection (our capacity) charges nothing, any other failure counts one.
   */
  private Future<JsonObject> refresh(JsonObject b) {
    return oidc.refresh(b.getString("clientId"), b.getString("clientSecret"), b.getString("refreshToken"))
        // logged once, by the pool, which knows what the failure did to the account
        .recover(t -> Future.failedFuture(refreshFailure(t)))
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

  /** ListAvailableModels / GetUsageLimits: the data under {@code key}, or {@code {failure, summary}} (never a bus failure). */
  private static Future<JsonObject> runtimeReply(String key, Future<JsonObject> call) {
    return call.map(data -> new JsonObject().put(key, data)).recover(t -> {
      RuntimeCallError e = t instanceof RuntimeCallError r ? r
          : new RuntimeCallError(RuntimeCallError.Failure.REJECTED, 0, String.valueOf(t.getMessage()));
      log.info("{} call failed: {} {}", key, e.summary(), e.detail());
      return Future.succeededFuture(new JsonObject().put("failure", e.failure().name()).put("summary", e.summary()));
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
