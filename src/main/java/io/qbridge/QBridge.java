package io.qbridge;

import io.qbridge.account.AccountPoolVerticle;
import io.qbridge.audit.AuditVerticle;
import io.qbridge.config.AppConfig;
import io.qbridge.api.responses.store.ResponseStoreVerticle;
import io.qbridge.alert.AccountWatch;
import io.qbridge.alert.AlertWebhook;
import io.qbridge.http.HttpVerticle;
import io.qbridge.http.security.AdminSecurity;
import io.qbridge.http.metrics.MetricsPortVerticle;
import io.qbridge.telemetry.AccountEvent;
import io.qbridge.upstream.OutboundHttp;
import java.io.IOException;
import java.time.Clock;
import java.net.InetAddress;
import java.util.function.Function;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.qbridge.time.Timekeeper;
import java.time.Duration;
import io.qbridge.upstream.UpstreamTemplate;
import io.qbridge.upstream.UpstreamVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A running qbridge: the account-pool, upstream, response-store, audit and HTTP verticles deployed
 * in that order (each needs the previous one's bus consumers). Used by {@link Main} and by tests that run the real
 * server on port 0.
 */
public final class QBridge {

  private final Vertx vertx;
  private final List<String> deployments;
  private final int port;
  private final PrometheusMetrics metrics;
  private final AdminSecurity security;

  private QBridge(Vertx vertx, List<String> deployments, int port, PrometheusMetrics metrics, AdminSecurity security) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.port = port;
    this.metrics = metrics;
    this.security = security;
  }

  /** Deploys everything; fails (after undeploying what started) if any part fails to start. */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config) {
    return deploy(vertx, config, Timekeeper.system(vertx), new PrometheusMetrics());
  }

  /** Deploys with {@code metrics} (Main passes the registry Vert.x's own metrics record into). */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config, PrometheusMetrics metrics) {
    return deploy(vertx, config, Timekeeper.system(vertx), metrics);
  }

  /**
   * As {@link #deploy(Vertx, AppConfig)}, with the clock and timers of device logins, token sweeps,
   * cooldowns and lease ages taken from {@code time} (tests step through time with it).
   */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config, Timekeeper time) {
    return deploy(vertx, config, time, new PrometheusMetrics());
  }

  /** Deploys everything with {@code time} and {@code metrics}. */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config, Timekeeper time, PrometheusMetrics metrics) {
    UpstreamTemplate template;
    try {
      template = UpstreamTemplate.load(config.upstream().templatesDir());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // this process among the instances sharing the database (owner of its leases, locks and logins)
    String instance = instanceName() + "-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> ids = new ArrayList<>();
    AtomicInteger port = new AtomicInteger(-1);
    // one for the process: every HTTP verticle instance must see the same sessions and lockouts
    AtomicReference<AdminSecurity> security = new AtomicReference<>();
    return vertx.deployVerticle(new AccountPoolVerticle(config.pool(), config.routing(), v -> time, metrics, instance))
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new UpstreamVerticle(config.upstream(), config.deviceLogin(), template, v -> time,
              config.pool(), instance));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new ResponseStoreVerticle(new ResponseStoreVerticle.Settings(config.pool().databaseUrl(),
              Duration.ofHours(config.responses().ttlHours()), config.responses().maxBytes(), config.responses().storeMaxBytes(),
              ResponseStoreVerticle.SWEEP_MS), v -> time));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new AuditVerticle(new AuditVerticle.Settings(config.pool().databaseUrl(),
              config.admin().auditRetentionDays()), v -> time));
        })
        .compose(id -> {
          ids.add(id);
          return AdminSecurity.open(vertx, config, time);
        })
        .compose(opened -> {
          security.set(opened);
          return vertx.deployVerticle(() -> new HttpVerticle(config, template, opened, metrics, p -> port.compareAndSet(-1, p)),
              new DeploymentOptions().setInstances(config.http().instances()));
        })
        .compose(id -> {
          ids.add(id);
          return deployOps(vertx, config, metrics, ids);
        })
        .map(v -> new QBridge(vertx, ids, port.get(), metrics, security.get()))
        .recover(t -> undeployAll(vertx, ids, security.get()).transform(v -> Future.failedFuture(t)));
  }

  /**
   * The account census (the accounts gauge and lifecycle alerts to ALERT_WEBHOOK_URL) and, when
   * METRICS_PORT is set, the scrape-only listener. Adds the deployment ids to {@code ids}.
   */
  private static Future<Void> deployOps(Vertx vertx, AppConfig config, PrometheusMetrics metrics, List<String> ids) {
    AppConfig.Ops ops = config.ops();
    String instance = instanceName();
    Function<Vertx, AccountEvent.Sink> sink = ops.alertWebhookUrl().isEmpty() ? v -> AccountEvent.Sink.NONE
        : v -> new AlertWebhook(v, OutboundHttp.create(v, config.upstream(), 2), ops.alertWebhookUrl(), instance,
            AlertWebhook.FIRST_BACKOFF_MS);
    Future<Void> watch = vertx.deployVerticle(new AccountWatch(metrics, sink, ops.alertMinHealthyAccounts(),
        AccountWatch.DEFAULT_PERIOD_MS, Clock.systemUTC())).map(id -> {
          ids.add(id);
          return null;
        });
    if (ops.metricsPort() == 0) return watch;
    return watch.compose(v -> vertx.deployVerticle(new MetricsPortVerticle(config.http().host(), ops.metricsPort(), metrics)))
        .map(id -> {
          ids.add(id);
          return null;
        });
  }

  /** The {@code instance} of alerts: this host's name (resolved once, at startup, off any event loop). */
  private static String instanceName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "qbridge";
    }
  }

  /** What this qbridge counts (its /metrics). */
  public PrometheusMetrics metrics() { return metrics; }

  /** The port the HTTP server listens on (the real one when PORT=0). */
  public int port() { return port; }

  /** Undeploys in reverse order: stop taking requests first, close the stores last. */
  public Future<Void> close() {
    return undeployAll(vertx, deployments, security);
  }

  private static Future<Void> undeployAll(Vertx vertx, List<String> ids, AdminSecurity security) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      chain = chain.transform(v -> vertx.undeploy(id).recover(t -> Future.succeededFuture()));
    }
    return security == null ? chain : chain.transform(v -> security.close().recover(t -> Future.succeededFuture()));
  }
}
