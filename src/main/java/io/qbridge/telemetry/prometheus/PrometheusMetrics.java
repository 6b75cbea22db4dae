package io.qbridge.telemetry.prometheus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.qbridge.quota.UsageLimits;
import io.qbridge.telemetry.Metrics;
import io.qbridge.telemetry.RequestFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * {@link Metrics} on a Micrometer {@link PrometheusMeterRegistry}: the names below are Micrometer's
 * dotted spelling of the Prometheus names in the README ({@code qbridge.requests} →
 * {@code qbridge_requests_total}, timers in seconds → {@code _seconds_bucket/_sum/_count}).
 * Thread-safe: HTTP verticles record from several event loops, the pool from its own.
 *
 * <p>Cardinality is bounded by construction (API family, status code, error kind, account id,
 * the Amazon Q model id the mapper chose) and, for the model, also by a cap: past
 * {@link #MAX_MODELS} distinct values, new ones are counted as {@code other}.
 */
public final class PrometheusMetrics implements Metrics {

  static final int MAX_MODELS = 32;
  private static final List<String> USAGE_GAUGES = List.of("qbridge.account.quota.used", "qbridge.account.quota.limit",
      "qbridge.account.quota.reset.timestamp.seconds", "qbridge.account.quota.exhausted");
  private static final Duration[] REQUEST_BUCKETS = seconds(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300);
  private static final Duration[] TTFT_BUCKETS = seconds(0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60);

  private final PrometheusMeterRegistry registry;
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final Set<String> models = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicInteger> accountStates = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inflight = new ConcurrentHashMap<>();
  private final Map<String, AtomicReference<UsageLimits>> usage = new ConcurrentHashMap<>();
  private final Counter failovers;
  private final Map<String, Counter> upstreamCalls = new ConcurrentHashMap<>();
  private final Map<String, Counter> requests = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, Timer> ttfts = new ConcurrentHashMap<>();
  private final Map<String, Counter> tokens = new ConcurrentHashMap<>();

  public PrometheusMetrics() {
    this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /** Records into {@code registry} (the one Vert.x's own HTTP metrics also use, when enabled). */
  public PrometheusMetrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    Gauge.builder("qbridge.active.streams", activeStreams, AtomicInteger::get)
        .description("SSE responses in progress").register(registry);
    failovers = Counter.builder("qbridge.failovers")
        .description("Requests moved to another account before the first byte").register(registry);
  }

  public MeterRegistry registry() { return registry; }

  /** The Prometheus text exposition of every meter. */
  public String scrape() { return registry.scrape(); }

  @Override
  public void requestEnded(RequestFacts facts, int status, long durationNanos, long ttftNanos) {
    facts.upstreamOutcomes().forEach(outcome -> meter(upstreamCalls, outcome, () -> Counter.builder("qbridge.upstream.calls")
        .description("Amazon Q calls by outcome (ok or the upstream error kind)")
        .tag("outcome", outcome.toLowerCase(Locale.ROOT)).register(registry)).increment());
    if (facts.failovers() > 0) failovers.increment(facts.failovers());
    String api = facts.api();
    if (api == null) return; // not a chat request: Vert.x's own HTTP server metrics count it
    String model = model(facts.model());
    String apiModel = api + '|' + model;
    meter(requests, apiModel + '|' + status, () -> Counter.builder("qbridge.requests")
        .description("Chat requests by API, Amazon Q model and HTTP status")
        .tags("api", api, "model", model, "status", Integer.toString(status)).register(registry)).increment();
    meter(durations, apiModel, () -> Timer.builder("qbridge.request.duration")
        .description("Chat request duration until the response ended")
        .tags("api", api, "model", model).serviceLevelObjectives(REQUEST_BUCKETS).register(registry))
        .record(durationNanos, TimeUnit.NANOSECONDS);
    if (ttftNanos >= 0) {
      meter(ttfts, apiModel, () -> Timer.builder("qbridge.ttft").description("Time to the first streamed content")
          .tags("api", api, "model", model).serviceLevelObjectives(TTFT_BUCKETS).register(registry))
          .record(ttftNanos, TimeUnit.NANOSECONDS);
    }
    tokens(api, "input", facts.inputTokens());
    tokens(api, "output", facts.outputTokens());
  }

  /**
   * The meter of {@code key} in {@code cache}, registered on first use. Looking a meter up through
   * its builder on every request (tags sorted, an id built, the registry's map consulted) was a
   * visible share of each chat request's CPU; the keys are the meters' own tags, so the caches
   * hold exactly the series the registry holds.
   */
  private static <M> M meter(Map<String, M> cache, String key, Supplier<M> register) {
    M m = cache.get(key);
    return m != null ? m : cache.computeIfAbsent(key, k -> register.get());
  }

  @Override public void streamOpened() { activeStreams.incrementAndGet(); }

  @Override public void streamClosed() { activeStreams.decrementAndGet(); }

  @Override
  public void tokenRefresh(String result) {
    Counter.builder("qbridge.token.refreshes").description("Access-token refreshes by result")
        .tag("result", result).register(registry).increment();
  }

  @Override
  public void accounts(Map<String, Integer> countByState) {
    accountStates.keySet().forEach(state -> {
      if (!countByState.containsKey(state)) accountStates.get(state).set(0);
    });
    countByState.forEach((state, n) -> accountStates.computeIfAbsent(state, s -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder("qbridge.accounts", holder, AtomicInteger::get).description("Accounts by state")
          .tag("state", s).register(registry);
      return holder;
    }).set(n));
  }

  @Override
  public void accountInflight(String accountId, int delta) {
    if (delta < 0) { // a release after the account was deleted must not bring its series back
      AtomicInteger holder = inflight.get(accountId);
      if (holder != null) holder.addAndGet(delta);
      return;
    }
    inflight.computeIfAbsent(accountId, id -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder("qbridge.account.inflight", holder, AtomicInteger::get)
          .description("Requests in flight per account").tag("account", id).register(registry);
      return holder;
    }).addAndGet(delta);
  }

  @Override
  public void accountRemoved(String accountId) {
    if (inflight.remove(accountId) != null) {
      registry.find("qbridge.account.inflight").tag("account", accountId).meters().forEach(registry::remove);
    }
    if (usage.remove(accountId) != null) {
      for (String name : USAGE_GAUGES) registry.find(name).tag("account", accountId).meters().forEach(registry::remove);
    }
  }

  /**
   * Four gauges per account (bounded like the in-flight one: one series per account), reading the
   * latest usage: used and limit in the account's unit (credits), the reset as a Unix time (absent
   * when unknown), and whether the scheduler skips it now for quota (1) or not (0).
   */
  @Override
  public void accountUsage(String accountId, UsageLimits limits) {
    usage.computeIfAbsent(accountId, id -> {
      AtomicReference<UsageLimits> holder = new AtomicReference<>(limits);
      Gauge.builder(USAGE_GAUGES.get(0), holder, h -> h.get().used())
          .description("Quota units used this period (GetUsageLimits)").tag("account", id).register(registry);
      Gauge.builder(USAGE_GAUGES.get(1), holder, h -> h.get().limit())
          .description("Quota units allowed this period, 0 = unknown").tag("account", id).register(registry);
      Gauge.builder(USAGE_GAUGES.get(2), holder, h -> h.get().nextReset() == null ? Double.NaN : h.get().nextReset().getEpochSecond())
          .description("When the quota resets, Unix seconds").tag("account", id).register(registry);
      Gauge.builder(USAGE_GAUGES.get(3), holder, h -> h.get().blocksAt(Instant.now()) ? 1 : 0)
          .description("1 while the account is skipped for an exhausted quota").tag("account", id).register(registry);
      return holder;
    }).set(limits);
  }

  private void tokens(String api, String direction, int n) {
    if (n <= 0) return;
    meter(tokens, api + '|' + direction, () -> Counter.builder("qbridge.tokens")
        .description("Tokens by API and direction (estimates, as reported in usage)")
        .tags("api", api, "direction", direction).register(registry)).increment(n);
  }

  private String model(String model) {
    if (model == null) return "none";
    if (models.contains(model)) return model;
    if (models.size() >= MAX_MODELS) return "other";
    models.add(model);
    return model;
  }

  private static Duration[] seconds(double... values) {
    Duration[] out = new Duration[values.length];
    for (int i = 0; i < values.length; i++) out[i] = Duration.ofNanos((long) (values[i] * 1e9));
    return out;
  }
}
