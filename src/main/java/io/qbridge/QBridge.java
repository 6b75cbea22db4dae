package io.qbridge;

import io.qbridge.account.AccountPoolVerticle;
import io.qbridge.config.AppConfig;
import io.qbridge.api.responses.store.ResponseStoreVerticle;
import io.qbridge.http.HttpVerticle;
import io.qbridge.http.security.AdminSecurity;
import io.qbridge.time.Timekeeper;
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

  private QBridge(Vertx vertx, List<String> deployments, int port) {
    this.vertx = vertx;
    this.deployments = deployments;
    this.port = port;
  }

  /** Deploys everything; fails (after undeploying what started) if any part fails to start. */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config) {
    return deploy(vertx, config, Timekeeper.system(vertx));
  }

  /**
   * As {@link #deploy(Vertx, AppConfig)}, with the clock and timers of device logins, token sweeps,
   * cooldowns and lease ages taken from {@code time} (tests step through time with it).
   */
  public static Future<QBridge> deploy(Vertx vertx, AppConfig config, Timekeeper time) {
    UpstreamTemplate template;
    try {
      template = UpstreamTemplate.load(config.upstream().templatesDir());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    // one for the process: every HTTP verticle instance must see the same sessions and lockouts
    AdminSecurity security = AdminSecurity.create(config, time);
    List<String> ids = new ArrayList<>();
    AtomicInteger port = new AtomicInteger(-1);
    return vertx.deployVerticle(new AccountPoolVerticle(config.pool(), config.routing(), v -> time))
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new UpstreamVerticle(config.upstream(), config.deviceLogin(), template, v -> time));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(new ResponseStoreVerticle(new ResponseStoreVerticle.Settings(config.pool().databaseUrl(),
              Duration.ofHours(config.responses().ttlHours()), config.responses().maxBytes(), config.responses().storeMaxBytes(),
              ResponseStoreVerticle.SWEEP_MS), v -> time));
        })
        .compose(id -> {
          ids.add(id);
          return vertx.deployVerticle(() -> new HttpVerticle(config, template, security, p -> port.compareAndSet(-1, p)),
              new DeploymentOptions().setInstances(config.http().instances()));
        })
        .map(id -> {
          ids.add(id);
          return new QBridge(vertx, ids, port.get());
        })
        .recover(t -> undeployAll(vertx, ids).transform(v -> Future.failedFuture(t)));
  }

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
