package io.qbridge.alert;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.telemetry.AccountEvent;
import io.qbridge.telemetry.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import io.vertx.core.Vertx;

/**
 * A census of the account pool every few seconds, through the pool's own admin view
 * ({@code accounts.list} on the bus, so the pool itself needs no hook): it sets the
 * {@code qbridge_accounts{state}} gauge (every account in exactly one state, so the series sum to
 * the account count) and turns state changes into {@link AccountEvent}s for the alert webhook:
 * an account that became suspended, lost its refresh token ({@code invalid_grant}), was disabled
 * by the pool for another reason, or was parked because its monthly quota ran out; the pool
 * dropping below ALERT_MIN_HEALTHY_ACCOUNTS healthy (active or cooling down) accounts, and
 * getting back. Accounts seen for the first time raise nothing. One instance per qbridge.
 */
public final class AccountWatch extends VerticleBase {

  /** Census period: alerts arrive within this, and the gauge is at most this stale. */
  public static final long DEFAULT_PERIOD_MS = 5_000;

  private final Metrics metrics;
  private final Function<Vertx, AccountEvent.Sink> sinkFactory;
  private final int minHealthy;
  private final long periodMs;
  private final Clock clock;
  private final Map<String, String> lastState = new HashMap<>();
  private AccountEvent.Sink sink;
  private AccountPoolClient pool;
  private Boolean below;
  private long timer = -1;
  private boolean inFlight;

  /**
   * @param sinkFactory builds the event sink on this verticle's context (the webhook's client lives there)
   * @param minHealthy  ALERT_MIN_HEALTHY_ACCOUNTS, 0 = no pool-level alert
   */
  public AccountWatch(Metrics metrics, Function<Vertx, AccountEvent.Sink> sinkFactory, int minHealthy, long periodMs, Clock clock) {
    this.metrics = metrics;
    this.sinkFactory = sinkFactory;
    this.minHealthy = minHealthy;
    this.periodMs = periodMs;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    pool = new AccountPoolClient(vertx);
    sink = sinkFactory.apply(vertx);
    timer = vertx.setPeriodic(periodMs, id -> census());
    return census().recover(t -> Future.succeededFuture()); // a slow first census must not fail startup
  }

  @Override
  public Future<?> stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    if (sink != null) sink.close();
    return Future.succeededFuture();
  }

  /** One census at a time: overlapping ones would both see the same change and alert twice. */
  Future<Void> census() {
    if (inFlight) return Future.succeededFuture();
    inFlight = true;
    Promise<Void> done = Promise.promise();
    pool.list().onComplete(ar -> {
      inFlight = false;
      if (ar.succeeded()) {
        observe(ar.result());
        done.complete();
      } else {
        done.fail(ar.cause());
      }
    });
    return done.future();
  }

  void observe(JsonArray accounts) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    Map<String, String> seen = new HashMap<>();
    int healthy = 0;
    for (Object o : accounts) {
      if (!(o instanceof JsonObject account)) continue;
      String id = account.getString("id");
      String state = state(account);
      counts.merge(state, 1, Integer::sum);
      if (state.equals("active") || state.equals("cooldown")) healthy++;
      seen.put(id, state);
      String before = lastState.get(id);
      if (before != null && !before.equals(state)) changed(account, state);
    }
    lastState.keySet().stream().filter(id -> !seen.containsKey(id)).forEach(id -> {
      metrics.accountRemoved(id);
    });
    lastState.clear();
    lastState.putAll(seen);
    metrics.accounts(counts);
    if (minHealthy > 0) poolHealth(healthy);
  }

  /** The admin view's state, with the reasons that matter to an operator split out (bounded set). */
  static String state(JsonObject account) {
    String state = account.getString("state", "active");
    JsonObject other = account.getJsonObject("other", new JsonObject());
    if (state.equals("disabled")) {
      String reason = other.getString("disabledReason");
      if ("suspended".equals(reason)) return "suspended";
      if ("invalid_grant".equals(reason)) return "invalid_grant";
    }
    if (state.equals("parked")) return "quota_exhausted";
    return state;
  }

  private void changed(JsonObject account, String state) {
    JsonObject other = account.getJsonObject("other", new JsonObject());
    String event = switch (state) {
      case "suspended" -> AccountEvent.SUSPENDED;
      case "invalid_grant" -> AccountEvent.REFRESH_TOKEN_REJECTED;
      case "quota_exhausted" -> AccountEvent.QUOTA_EXHAUSTED;
      // disabled by the pool says why; an admin's PATCH {"enabled": false} leaves no reason and no alert
      case "disabled" -> other.getString("disabledReason") != null ? AccountEvent.DISABLED : null;
      default -> null;
    };
    if (event == null) return;
    String reason = state.equals("quota_exhausted") ? other.getString("parkedReason", "quota_exhausted")
        : other.getString("disabledReason", state);
    sink.publish(new AccountEvent(event, account.getString("id"), account.getString("label"), reason, clock.instant()));
  }

  private void poolHealth(int healthy) {
    boolean nowBelow = healthy < minHealthy;
    if (below != null && below == nowBelow) return;
    boolean first = below == null;
    below = nowBelow;
    if (first && !nowBelow) return;
    String reason = healthy + " healthy " + (nowBelow ? "< " : ">= ") + minHealthy;
    sink.publish(new AccountEvent(nowBelow ? AccountEvent.POOL_BELOW_MIN_HEALTHY : AccountEvent.POOL_RECOVERED,
        null, null, reason, clock.instant()));
  }
}
