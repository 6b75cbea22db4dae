package io.qbridge.telemetry;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * What the handlers of one request learned about it, read once when it ends by the access log and
 * the metrics: which API and model, which account served it after how many attempts, the
 * upstream outcomes, the token counts. Kept on the {@link RoutingContext}; confined to the
 * request's event loop, so plain fields. Only ids, names and numbers: never a key or a prompt.
 */
public final class RequestFacts {

  private static final String KEY = "qbridge.facts";

  private String api;
  private String model;
  private String accountId;
  private int attempts;
  private int failovers;
  private int inputTokens = -1;
  private IntSupplier outputTokens = () -> -1;
  private final List<String> upstreamOutcomes = new ArrayList<>(2);
  private Metrics metrics = Metrics.NONE;

  /** The facts of {@code ctx}'s request, created on first use. */
  public static RequestFacts of(RoutingContext ctx) {
    RequestFacts facts = ctx.get(KEY);
    if (facts == null) {
      facts = new RequestFacts();
      ctx.put(KEY, facts);
    }
    return facts;
  }

  /** A route handler naming the API family of the requests it sees (the {@code api} label). */
  public static Handler<RoutingContext> api(String name) {
    return ctx -> {
      of(ctx).withApi(name);
      ctx.next();
    };
  }

  public RequestFacts withApi(String name) {
    this.api = name;
    return this;
  }

  /** The conversation was built: the Amazon Q model id it maps to and its prompt estimate. */
  public RequestFacts prepared(String qModelId, int inputTokens) {
    this.model = qModelId;
    this.inputTokens = inputTokens;
    return this;
  }

  /** Where the live gauges go (set by the access log, which sees every request first). */
  public RequestFacts metrics(Metrics metrics) {
    this.metrics = metrics;
    return this;
  }

  /** A lease on {@code accountId} was granted: one more request in flight there. */
  public RequestFacts leased(String accountId) {
    metrics.accountInflight(accountId, 1);
    return this;
  }

  /** That lease was released (exactly once per lease). */
  public void released(String accountId) {
    metrics.accountInflight(accountId, -1);
  }

  /** An upstream attempt starts on {@code accountId}. */
  public void attempt(String accountId) {
    this.accountId = accountId;
    attempts++;
  }

  /** An upstream call ended: {@code ok} or the upstream error kind. */
  public void upstreamCall(String outcome) { upstreamOutcomes.add(outcome); }

  public void failover() { failovers++; }

  /**
   * Where the output-token count will be read when the request ends: the response may end (and the
   * access line be written) inside the writer, before its caller hears back.
   */
  public void outputTokens(IntSupplier tokens) { this.outputTokens = tokens; }

  public String api() { return api; }
  public String model() { return model; }
  public String accountId() { return accountId; }
  public int attempts() { return attempts; }
  public int failovers() { return failovers; }
  /** -1 when unknown (no conversation was built). */
  public int inputTokens() { return inputTokens; }
  /** -1 when unknown (no answer was relayed). */
  public int outputTokens() { return outputTokens.getAsInt(); }
  public List<String> upstreamOutcomes() { return upstreamOutcomes; }
}
