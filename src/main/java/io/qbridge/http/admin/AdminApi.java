package io.qbridge.http.admin;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.DeviceLoginClient;
import io.qbridge.config.AppConfig;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/** The admin API under {@code /v2}: accounts and device login, guarded by ADMIN_KEY. */
public final class AdminApi implements ApiModule {

  /** {@code {"error":{"type":"invalid_request_error","message":"..."}}} */
  public static final ErrorShape ERROR_SHAPE = (type, message) ->
      new JsonObject().put("error", new JsonObject().put("type", type.anthropic()).put("message", message));

  private final Vertx vertx;
  private final AppConfig config;
  private final AccountPoolClient pool;

  public AdminApi(Vertx vertx, AppConfig config, AccountPoolClient pool) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
  }

  @Override
  public ErrorShape errorShape() { return ERROR_SHAPE; }

  @Override
  public boolean serves(String path) { return path.startsWith("/v2/"); }

  @Override
  public void mount(Router router) {
    router.route("/v2/*").handler(new AdminKeyAuth(config.http().adminKey()));
    AccountAdminRoutes.mount(router, pool);
    DeviceLoginRoutes.mount(router, new DeviceLoginClient(vertx, config.deviceLogin().claimTimeoutSeconds()),
        config.deviceLogin().claimTimeoutSeconds());
    router.route("/v2/*").failureHandler(new FailureHandler(ERROR_SHAPE));
  }
}
