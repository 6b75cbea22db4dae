package io.qbridge.chat;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Lease;
import io.qbridge.bus.Outcome;
import io.qbridge.relay.RelayOutcome;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.relay.StreamRelay;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.upstream.Cancellation;
import io.qbridge.upstream.UpstreamClient;
import io.qbridge.upstream.UpstreamError;
import io.qbridge.upstream.UpstreamStream;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client chat request against the pool: lease an account, call Amazon Q, relay the stream,
 * release the lease exactly once with the right outcome. Shared by both API front ends; they
 * differ only in the {@link ResponseWriter} they supply.
 *
 * <p>Failover happens only while nothing has reached the client: when the upstream call, or the
 * relay before its commit, fails with a {@link UpstreamError.Kind#retryable() retryable} error, the
 * lease is released with that error (the pool cools, parks or disables the account) and the
 * request moves to another account, never one it already tried, up to {@code MAX_ATTEMPTS}
 * accounts. An access token the upstream rejects ({@link UpstreamError.Kind#TOKEN_INVALID}) is
 * refreshed once, forced, and the same request retried on the same account first. After the first
 * byte an upstream error becomes an in-stream error event (the relay's job), never a retry.
 */
public final class ChatExchange {

  private static final Logger log = LoggerFactory.getLogger(ChatExchange.class);

  private final Vertx vertx;
  private final AccountPoolClient pool;
  private final UpstreamClient upstream;
  private final long keepAliveMs;
  private final int maxAttempts;
  private final int maxConcurrent;
  /** Exchanges running on this instance (one event loop: a plain counter). */
  private int running;

  /**
   * @param maxAttempts   accounts tried per request before the first byte, at least 1
   * @param maxConcurrent exchanges this instance runs at once (UPSTREAM_MAX_CONNECTIONS: each holds
   *                      one upstream connection); beyond it a request fails at once with
   *                      {@link UpstreamError.Kind#LOCAL_CAPACITY}, before any account is leased
   */
  public ChatExchange(Vertx vertx, AccountPoolClient pool, UpstreamClient upstream, long keepAliveMs, int maxAttempts,
      int maxConcurrent) {
    this.vertx = vertx;
    this.pool = pool;
    this.upstream = upstream;
    this.keepAliveMs = keepAliveMs;
    this.maxAttempts = Math.max(1, maxAttempts);
    this.maxConcurrent = Math.max(1, maxConcurrent);
  }

  /**
   * Which accounts may serve a request: those whose catalog has {@code model} (a catalog id;
   * {@code null}: any), the one bound to {@code conversationKey} (hashed; {@code null}: not sticky)
   * first. {@code followUpKey} (hashed; {@code null}: none) is bound to the account that serves the
   * request, so a later request continuing this answer (a Responses {@code previous_response_id})
   * lands there too.
   */
  public record Route(String model, String conversationKey, String followUpKey) {
    public Route(String model, String conversationKey) {
      this(model, conversationKey, null);
    }
  }

  /**
   * Runs the exchange, leasing by {@code route}; failures before the response started go to
   * {@code ctx.fail}. {@code writerFactory} is called once per upstream attempt (a failed attempt
   * wrote nothing). At capacity the request is refused (503 + {@code retry-after}) without touching
   * the pool: a limit of ours must never count against an account.
   */
  public void run(RoutingContext ctx, JsonObject qRequest, Route route, Supplier<ResponseWriter> writerFactory) {
    if (running >= maxConcurrent) {
      ctx.fail(UpstreamError.localCapacity(running + " chat requests in flight on this instance"));
      return;
    }
    running++;
    Attempts attempts = new Attempts(ctx, qRequest, route, writerFactory);
    attempts.done.future().onComplete(v -> running--);
    attempts.next();
  }

  /** The attempts of one client request, all on the request's event loop. */
  private final class Attempts {
    private final RoutingContext ctx;
    private final HttpServerResponse response;
    private final JsonObject qRequest;
    private final Route route;
    private final Supplier<ResponseWriter> writerFactory;
    private final List<String> tried = new ArrayList<>();
    /** Completed once, when the exchange holds no lease and no upstream call any more. */
    private final Promise<Void> done = Promise.promise();
    private UpstreamError lastError;

    Attempts(RoutingContext ctx, JsonObject qRequest, Route route, Supplier<ResponseWriter> writerFactory) {
      this.ctx = ctx;
      this.response = ctx.response();
      this.qRequest = qRequest;
      this.route = route;
      this.writerFactory = writerFactory;
    }

    /** Leases an account not tried yet; when there is none, the last upstream error stands. */
    void next() {
      pool.lease(tried, route.model(), route.conversationKey(), route.followUpKey()).onComplete(ar -> {
        if (ar.succeeded()) {
          Lease lease = ar.result();
          if (!tried.isEmpty()) { // a failover really happens only once another account is leased
            log.info("failing over to account {} after {} on account {} (attempt {} of {})",
                lease.accountId(), lastError.kind(), tried.get(tried.size() - 1), tried.size() + 1, maxAttempts);
            RequestFacts.of(ctx).failover();
          }
          RequestFacts facts = RequestFacts.of(ctx).leased(lease.accountId());
          attempt(lease, new LeaseRelease(pool, lease, () -> facts.released(lease.accountId())), false);
        } else {
          finish(lastError != null ? lastError : ar.cause());
        }
      });
    }

    private void attempt(Lease lease, LeaseRelease release, boolean tokenRefreshed) {
      if (response.closed()) {
        release.release(Outcome.NEUTRAL);
        finish(null);
        return;
      }
      // the client may leave while we wait for Amazon Q's headers: abort the upstream call too
      Cancellation cancellation = new Cancellation();
      response.closeHandler(v -> cancellation.cancel());
      RequestFacts.of(ctx).attempt(lease.accountId());
      upstream.generate(lease.accessToken(), qRequest, cancellation)
          .compose(this::relay)
          .onSuccess(outcome -> {
            RequestFacts.of(ctx).upstreamCall(outcome.error() == null ? "ok" : outcome.error().kind().name());
            if (outcome.error() != null) release.release(outcome.error());
            else release.release(outcome.hasContent() ? Outcome.SUCCESS : Outcome.NEUTRAL);
            finish(null);
          })
          .onFailure(t -> failed(lease, release, tokenRefreshed, t instanceof UpstreamError u ? u
              : UpstreamError.of(UpstreamError.Kind.UNKNOWN, String.valueOf(t))));
    }

    private Future<RelayOutcome> relay(UpstreamStream stream) {
      if (response.closed()) {
        stream.cancel();
        return Future.succeededFuture(new RelayOutcome(null, false, true));
      }
      ResponseWriter writer = writerFactory.get();
      RequestFacts.of(ctx).outputTokens(writer::outputTokens);
      return new StreamRelay(vertx, response, stream, writer, keepAliveMs).run();
    }

    /** The attempt failed before anything reached the client. */
    private void failed(Lease lease, LeaseRelease release, boolean tokenRefreshed, UpstreamError e) {
      if (response.closed()) { // the client left (and we cancelled): not the account's fault
        release.release(Outcome.NEUTRAL);
        finish(null);
        return;
      }
      log.warn("upstream failure on account {}: {} ({})", lease.accountId(), e.kind(), e.detail());
      RequestFacts.of(ctx).upstreamCall(e.kind().name());
      if (e.kind() == UpstreamError.Kind.TOKEN_INVALID && !tokenRefreshed) {
        pool.refreshLease(lease).onComplete(ar -> {
          if (ar.succeeded()) {
            attempt(ar.result(), release, true);
          } else {
            // the pool has counted the failed refresh (and disabled the account on invalid_grant)
            release.release(Outcome.NEUTRAL);
            failOver(lease, e);
          }
        });
        return;
      }
      if (e.kind() == UpstreamError.Kind.INVALID_MODEL && route.model() != null) {
        // the account's catalog was stale: the model leaves it, another account may still have it
        release.releaseRejectedModel(route.model());
      } else {
        release.release(e);
      }
      failOver(lease, e);
    }

    private void failOver(Lease lease, UpstreamError e) {
      lastError = e;
      tried.add(lease.accountId());
      if (e.kind().retryable() && tried.size() < maxAttempts) {
        next();
      } else {
        finish(e);
      }
    }

    /** The exchange is over: fail the request with {@code error} (unless null or the client left). */
    private void finish(Throwable error) {
      if (error != null && !response.closed()) ctx.fail(error);
      done.tryComplete();
    }
  }

  /** Releases a lease exactly once, whichever of success, failure or disconnect comes first. */
  private static final class LeaseRelease {
    private final AccountPoolClient pool;
    private final Lease lease;
    private final Runnable onRelease;
    private boolean released;

    LeaseRelease(AccountPoolClient pool, Lease lease, Runnable onRelease) {
      this.pool = pool;
      this.lease = lease;
      this.onRelease = onRelease;
    }

    void release(Outcome outcome) {
      if (claim()) pool.release(lease, outcome);
    }

    void releaseRejectedModel(String model) {
      if (claim()) pool.releaseRejectedModel(lease, model);
    }

    /** The error's account action, with its kind as the reason and Amazon Q's retry-after. */
    void release(UpstreamError error) {
      if (claim()) {
        pool.release(lease, error.kind().accountAction(), error.kind().name().toLowerCase(Locale.ROOT),
            error.retryAfterMs());
      }
    }

    private boolean claim() {
      if (released) return false;
      released = true;
      onRelease.run();
      return true;
    }

  }
}
