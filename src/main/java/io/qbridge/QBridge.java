package io.qbridge;

import io.qbridge.account.AccountPoolVerticle;
import io.qbridge.config.AppConfig;
import io.qbridge.api.responses.store.ResponseStoreVerticle;
import io.qbridge.http.HttpVerticle;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import java.time.Clock;
import java.time.Duration;
import io.qbridge.upstream.UpstreamTemplate;
import io.qbridge.upstream.UpstreamVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running qbridge: the account-pool, upstream and HTTP verticles deployed in that order (each
 * needs the previous one's bus consumers). Used by {@link Main} and by tests that run the real
 * server on port 0.
 */
public final class QBridge {

  private final Vertx vertx;
  private final List<String> deployments;
  private final int port;
  private final PrometheusMetrics metrics;

  private QBridge(Vertx vertx, List<String> deployments, int port, PrometheusMetrics metrics) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.port = port;
    this.metrics = metrics;
  }

  /** Deploys everything; fails (after undeploying what started) if any part fails to start. */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config) {
    return deploy(vertx, config, new PrometheusMetrics());
  }

  /** Deploys with {@code metrics} (Main passes the registry Vert.x's own metrics record into). */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config, PrometheusMetrics metrics) {
    UpstreamTemplate template;
    try {
      template = UpstreamTemplate.load(config.templatesDir());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    List<String> ids = new ArrayList<>();
    AtomicInteger port = new AtomicInteger(-1);
    return vertx.deployVerticle(new AccountPoolVerticle(config))
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new UpstreamVerticle(config, template));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new ResponseStoreVerticle(new ResponseStoreVerticle.Settings(config.databaseUrl(),
              Duration.ofHours(config.responsesTtlHours()), config.responsesMaxBytes(), config.responsesStoreMaxBytes(),
              ResponseStoreVerticle.SWEEP_MS), Clock.systemUTC()));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(() -> new HttpVerticle(config, template, metrics, p -> port.compareAndSet(-1, p)),
              new DeploymentOptions().setInstances(config.httpInstances()));
        })
        .map(id -> {
          ids.add(id);
          return new QBridge(vertx, ids, port.get(), metrics);
        })
        .recover(t -> undeployAll(vertx, ids).transform(v -> Future.failedFuture(t)));
  }

  /** What this qbridge counts (its /metrics). */
  public PrometheusMetrics metrics() { return metrics; }

  /** The port the HTTP server listens on (the real one when PORT=0). */
  public int port() { return port; }

  /** Undeploys in reverse order: stop taking requests first, close the store last. */
  public Future<Void> close() {
    return undeployAll(vertx, deployments);
  }

  private static Future<Void> undeployAll(Vertx vertx, List<String> ids) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = ids.size() - 1; i >= 0; i--) {
      String id = ids.get(i);
      chain = chain.transform(v -> vertx.undeploy(id).recover(t -> Future.succeededFuture()));
    }
    return chain;
  }
}
