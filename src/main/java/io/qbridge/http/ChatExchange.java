package io.qbridge.http;

import io.qbridge.account.AccountPoolClient;
import io.qbridge.account.Lease;
import io.qbridge.account.Outcome;
import io.qbridge.relay.RelayOutcome;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.relay.StreamRelay;
import io.qbridge.upstream.Cancellation;
import io.qbridge.upstream.UpstreamClient;
import io.qbridge.upstream.UpstreamError;
import io.qbridge.upstream.UpstreamStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client chat request against the pool: lease an account, call Amazon Q, relay the stream,
 * release the lease exactly once with the right outcome. Shared by both API front ends; they
 * differ only in the {@link ResponseWriter} they supply.
 */
public final class ChatExchange {

  private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);

  private final Vertx vertx;
  private final AccountPoolClient pool;
  private final UpstreamClient upstream;
  private final long keepAliveMs;

  public ChatExchange(Vertx vertx, AccountPoolClient pool, UpstreamClient upstream, long keepAliveMs) {
    this.vertx = vertx;
    this.pool = pool;
    this.upstream = upstream;
    this.keepAliveMs = keepAliveMs;
  }

  /** Runs the exchange; failures before the response started go to {@code ctx.fail}. */
  public void run(RoutingContext ctx, JsonObject qRequest, Supplier<ResponseWriter> writerFactory) {
    pool.lease()
        .onFailure(ctx::fail)
        .onSuccess(lease -> attempt(ctx, lease, qRequest, writerFactory.get()));
  }

  private void attempt(RoutingContext ctx, Lease lease, JsonObject qRequest, ResponseWriter writer) {
    HttpServerResponse response = ctx.response();
    LeaseRelease release = new LeaseRelease(pool, lease);
    if (response.closed()) {
      release.release(Outcome.NEUTRAL);
      return;
    }
    // the client may leave while we wait for Amazon Q's headers: abort the upstream call too
    Cancellation cancellation = new Cancellation();
    response.closeHandler(v -> cancellation.cancel());
    upstream.generate(lease.accessToken(), qRequest, cancellation)
        .compose(stream -> {
          if (response.closed()) {
            stream.cancel();
            return Future.succeededFuture(new RelayOutcome(null, false, true));
          }
          return relay(response, stream, writer);
        })
        .onSuccess(outcome -> release.release(outcomeOf(outcome)))
        .onFailure(t -> {
          UpstreamError e = t instanceof UpstreamError u ? u : UpstreamError.of(UpstreamError.Kind.UNKNOWN, String.valueOf(t));
          log.warn("upstream failure on account {}: {} ({})", lease.accountId(), e.kind(), e.detail());
          release.release(e.kind().accountAction() == UpstreamError.AccountAction.NONE ? Outcome.NEUTRAL : Outcome.FAILURE);
          if (!response.closed()) ctx.fail(e);
        });
  }

  private Future<RelayOutcome> relay(HttpServerResponse response, UpstreamStream stream, ResponseWriter writer) {
    return new StreamRelay(vertx, response, stream, writer, keepAliveMs).run();
  }

  static Outcome outcomeOf(RelayOutcome o) {
    if (o.error() != null) {
      return o.error().kind().accountAction() == UpstreamError.AccountAction.NONE ? Outcome.NEUTRAL : Outcome.FAILURE;
    }
    return o.hasContent() ? Outcome.SUCCESS : Outcome.NEUTRAL;
  }

  /** Releases a lease exactly once, whichever of success, failure or disconnect comes first. */
  private static final class LeaseRelease {
    private final AccountPoolClient pool;
    private final Lease lease;
    private boolean released;

    LeaseRelease(AccountPoolClient pool, Lease lease) {
      this.pool = pool;
      this.lease = lease;
    }

    void release(Outcome outcome) {
      if (released) return;
      released = true;
      pool.release(lease, outcome).onFailure(t -> log.warn("lease release failed for {}: {}", lease.accountId(), t.getMessage()));
    }
  }
}
