package io.qbridge.http.admin;

import io.qbridge.audit.AuditClient;
import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.DeviceLoginClient;
import io.qbridge.config.AppConfig;
import io.qbridge.http.security.AdminSecurity;
import io.qbridge.http.security.SessionRoutes;
import io.qbridge.web.ApiModule;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * The admin API under {@code /v2}: console sign-in, accounts, device login and the audit log,
 * guarded by {@link AdminSecurity} (ADMIN_KEY or a console session; loopback only in dev mode).
 * Every write is recorded in the audit log ({@link AuditTrail}).
 */
public final class AdminApi implements ApiModule {

  /** {@code {"error":{"type":"invalid_request_error","message":"..."}}} */
  public static final ErrorShape ERROR_SHAPE = (type, message) ->
      new JsonObject().put("error", new JsonObject().put("type", type.anthropic()).put("message", message));

  private final Vertx vertx;
  private final AppConfig config;
  private final AccountPoolClient pool;
  private final AdminSecurity security;

  public AdminApi(Vertx vertx, AppConfig config, AccountPoolClient pool, AdminSecurity security) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.security = security;
  }

  @Override
  public ErrorShape errorShape() { return ERROR_SHAPE; }

  @Override
  public boolean serves(String path) { return path.startsWith("/v2/"); }

  @Override
  public void mount(Router router) {
    AuditClient audit = new AuditClient(vertx);
    SessionRoutes.mount(router, security, ERROR_SHAPE, audit);
    router.route("/v2/*").handler(security.guard(ERROR_SHAPE, audit));
    AuditTrail.mount(router, audit, security);
    AuditRoutes.mount(router, audit);
    AccountAdminRoutes.mount(router, pool);
    DeviceLoginRoutes.mount(router, new DeviceLoginClient(vertx, config.deviceLogin().claimTimeoutSeconds()),
        config.deviceLogin().claimTimeoutSeconds());
    router.route("/v2/*").failureHandler(new FailureHandler(ERROR_SHAPE));
  }
}
