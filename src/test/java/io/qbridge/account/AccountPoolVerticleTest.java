package io.qbridge.account;

import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Lease;
import io.qbridge.bus.Outcome;
import static io.qbridge.account.AccountTestSupport.config;
import static io.qbridge.account.AccountTestSupport.deployPool;
import static io.qbridge.account.AccountTestSupport.newAccount;
import static io.qbridge.account.AccountTestSupport.rawRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.bus.Addresses;
import io.qbridge.config.AppConfig;
import io.qbridge.bus.BusFailure;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(VertxExtension.class)
class AccountPoolVerticleTest {

  @TempDir
  Path dir;

  private AccountPoolClient start(Vertx vertx, int maxErrorCount) {
    deployPool(vertx, config(dir, maxErrorCount));
    return new AccountPoolClient(vertx);
  }

  private static String create(AccountPoolClient pool, JsonObject body) {
    return pool.create(body).await().getString("id");
  }

  /** A fake {@code upstream.token.refresh} handler; records requests, answers with {@code answer}. */
  private static List<JsonObject> fakeRefresher(Vertx vertx, Function<JsonObject, Future<JsonObject>> answer) {
    List<JsonObject> calls = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.UPSTREAM_TOKEN_REFRESH, msg -> {
      calls.add(msg.body());
      answer.apply(msg.body()).onSuccess(msg::reply).onFailure(err -> {
        int code = err instanceof ReplyException re ? re.failureCode() : BusFailure.REFRESH_FAILED.code();
        msg.fail(code, err.getMessage());
      });
    }).completion().await();
    return calls;
  }

  private static Future<JsonObject> after(Vertx vertx, long ms, JsonObject value) {
    Promise<JsonObject> p = Promise.promise();
    vertx.setTimer(ms, id -> p.complete(value));
    return p.future();
  }

  private static Future<JsonObject> refuse(BusFailure code, String text) {
    return Future.failedFuture(new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code.code(), text));
  }

  private static ReplyException busFailure(Vertx vertx, String address, JsonObject body) {
    Throwable err = catchThrowable(() -> vertx.eventBus().request(address, body).await());
    assertThat(err).isInstanceOf(ReplyException.class);
    return (ReplyException) err;
  }

  @Test
  void leasePicksOnlyEnabledAccountsWithTokens(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    Set<String> enabled = Set.of(create(pool, newAccount("on-1", "at-1", true)),
        create(pool, newAccount("on-2", "at-2", true)));
    for (int i = 0; i < 3; i++) create(pool, newAccount("off-" + i, "at-off", false));

    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      Lease lease = pool.lease().await();
      seen.add(lease.accountId());
      assertThat(lease.accessToken()).startsWith("at-").isNotEqualTo("at-off");
      pool.release(lease, Outcome.NEUTRAL);
    }
    assertThat(seen).isEqualTo(enabled); // only enabled ones, and the pick is spread over both
    assertThat(pool.health().await().getInteger("activeLeases")).isZero();
  }

  @Test
  void noEnabledAccountFailsWithNoAccount(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    create(pool, newAccount("off", "at", false));
    ReplyException err = busFailure(vertx, Addresses.ACCOUNTS_LEASE, new JsonObject());
    assertThat(err.failureCode()).isEqualTo(BusFailure.NO_ACCOUNT.code());
    assertThat(err.getMessage()).startsWith("No enabled account available").contains("POST /v2/accounts");

    Throwable mapped = catchThrowable(() -> pool.lease().await());
    assertThat(mapped).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(503);
      assertThat(g.type()).isEqualTo(ErrorType.OVERLOADED);
    });
  }

  @Test
  void leaseRefreshesAMissingAccessTokenAndPersistsTheTokens(Vertx vertx) throws Exception {
    AccountPoolClient pool = start(vertx, 100);
    List<JsonObject> calls = fakeRefresher(vertx, req -> Future.succeededFuture(
        new JsonObject().put("accessToken", "fresh-at").put("refreshToken", "rotated-rt").put("expiresIn", 3600)));
    String id = create(pool, newAccount("a", null, true));
    Instant before = Instant.now();

    Lease lease = pool.lease().await();

    assertThat(lease.accountId()).isEqualTo(id);
    assertThat(lease.label()).isEqualTo("a");
    assertThat(lease.accessToken()).isEqualTo("fresh-at");
    assertThat(calls).containsExactly(new JsonObject().put("accountId", id).put("clientId", "cid-a")
        .put("clientSecret", "secret-a").put("refreshToken", "rt-a"));
    Map<String, Object> row = rawRow(dir, id);
    assertThat(row).containsEntry("accessToken", "fresh-at").containsEntry("refreshToken", "rotated-rt")
        .containsEntry("last_refresh_status", "success");
    Instant expiresAt = Instant.parse((String) row.get("expires_at"));
    assertThat(expiresAt).isBetween(before.plusSeconds(3599), Instant.now().plusSeconds(3601));
    assertThat(Instant.parse((String) row.get("last_refresh_time"))).isBetween(before.minusSeconds(1), Instant.now());

    pool.release(lease, Outcome.SUCCESS);
    assertThat(pool.lease().await().accessToken()).isEqualTo("fresh-at"); // still fresh: no second refresh
    assertThat(calls).hasSize(1);
  }

  @Test
  void refreshReplyWithoutRefreshTokenKeepsTheOldOneAndShortExpiryRefreshesAgain(Vertx vertx) throws Exception {
    AccountPoolClient pool = start(vertx, 100);
    AtomicInteger n = new AtomicInteger();
    List<JsonObject> calls = fakeRefresher(vertx, req -> Future.succeededFuture(
        new JsonObject().put("accessToken", "at-" + n.incrementAndGet()).put("expiresIn", 30)));
    String id = create(pool, newAccount("a", null, true));

    assertThat(pool.lease().await().accessToken()).isEqualTo("at-1");
    assertThat(rawRow(dir, id)).containsEntry("refreshToken", "rt-a");
    // expires in 30 s, inside the 60 s margin: the next lease refreshes again
    assertThat(pool.lease().await().accessToken()).isEqualTo("at-2");
    assertThat(calls).hasSize(2);
  }

  @Test
  void concurrentLeasesOfOneTokenlessAccountShareOneRefresh(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    List<JsonObject> calls = fakeRefresher(vertx,
        req -> after(vertx, 100, new JsonObject().put("accessToken", "shared-at").put("expiresIn", 3600)));
    create(pool, newAccount("solo", null, true));

    List<Future<Lease>> leases = IntStream.range(0, 20).mapToObj(i -> pool.lease()).toList();
    Future.all(leases).await();

    assertThat(calls).hasSize(1);
    assertThat(leases).allSatisfy(f -> assertThat(f.result().accessToken()).isEqualTo("shared-at"));
    assertThat(leases.stream().map(f -> f.result().leaseId()).distinct()).hasSize(20);
    assertThat(pool.health().await().getInteger("activeLeases")).isEqualTo(20);
  }

  @Test
  void invalidGrantDisablesTheAccountWithAReason(Vertx vertx) throws Exception {
    AccountPoolClient pool = start(vertx, 100);
    fakeRefresher(vertx, req -> refuse(BusFailure.INVALID_GRANT, "Invalid refresh token provided"));
    String id = create(pool, newAccount("revoked", null, true));

    ReplyException err = busFailure(vertx, Addresses.ACCOUNTS_LEASE, new JsonObject());
    assertThat(err.failureCode()).isEqualTo(BusFailure.REFRESH_FAILED.code());
    assertThat(err.getMessage()).contains("invalid_grant");

    JsonObject account = pool.get(id).await();
    assertThat(account.getBoolean("enabled")).isFalse();
    assertThat(account.getJsonObject("other").getString("disabledReason")).isEqualTo("invalid_grant");
    assertThat(account.getString("last_refresh_status")).isEqualTo("failed");
    assertThat(account.getString("last_refresh_time")).isNotNull();
    assertThat(account.getInteger("error_count")).isEqualTo(1);
    assertThat(busFailure(vertx, Addresses.ACCOUNTS_LEASE, new JsonObject()).failureCode())
        .isEqualTo(BusFailure.NO_ACCOUNT.code());
  }

  @Test
  void failedRefreshIsCountedAndTheLeaseMovesOnToAnotherAccount(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    List<JsonObject> calls = fakeRefresher(vertx, req -> refuse(BusFailure.REFRESH_FAILED, "oidc 500"));
    String broken = create(pool, newAccount("broken", null, true));
    String healthy = create(pool, newAccount("healthy", "at-ok", true));

    for (int i = 0; i < 10; i++) {
      Lease lease = pool.lease().await();
      assertThat(lease.accountId()).isEqualTo(healthy);
      pool.release(lease, Outcome.NEUTRAL);
    }
    JsonObject b = pool.get(broken).await();
    assertThat(b.getInteger("error_count")).isEqualTo(calls.size());
    assertThat(b.getBoolean("enabled")).isTrue();
    if (!calls.isEmpty()) assertThat(b.getString("last_refresh_status")).isEqualTo("failed");
  }

  @Test
  void refreshFailureOfTheOnlyAccountFailsTheLease(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    fakeRefresher(vertx, req -> refuse(BusFailure.REFRESH_FAILED, "oidc 500"));
    create(pool, newAccount("broken", null, true));
    Throwable err = catchThrowable(() -> pool.lease().await());
    assertThat(err).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(502);
      assertThat(g.getMessage()).isEqualTo("Token refresh failed");
    });
  }

  @Test
  void countersAreExactUnderConcurrentLeaseAndRelease(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 1_000_000);
    List<String> ids = List.of(create(pool, newAccount("x", "at-x", true)), create(pool, newAccount("y", "at-y", true)),
        create(pool, newAccount("z", "at-z", true)));

    // phase 1: successes (and neutral releases, which must count nothing)
    Map<String, Integer> expectedSuccess = runConcurrently(pool, 300, i -> i % 3 == 0 ? Outcome.NEUTRAL : Outcome.SUCCESS);
    // phase 2: failures only, so error_count (consecutive errors) is a plain sum too
    Map<String, Integer> expectedErrors = runConcurrently(pool, 300, i -> i % 4 == 0 ? Outcome.NEUTRAL : Outcome.FAILURE);

    int successTotal = 0;
    int errorTotal = 0;
    for (String id : ids) {
      JsonObject a = pool.get(id).await();
      assertThat(a.getInteger("success_count")).as("success_count of " + id).isEqualTo(expectedSuccess.getOrDefault(id, 0));
      assertThat(a.getInteger("error_count")).as("error_count of " + id).isEqualTo(expectedErrors.getOrDefault(id, 0));
      successTotal += a.getInteger("success_count");
      errorTotal += a.getInteger("error_count");
    }
    assertThat(successTotal).isEqualTo(200);
    assertThat(errorTotal).isEqualTo(225);
    assertThat(pool.health().await().getInteger("activeLeases")).isZero();
  }

  /** {@code n} concurrent lease→release chains; returns, per account, how many got a counting outcome. */
  private static Map<String, Integer> runConcurrently(AccountPoolClient pool, int n, Function<Integer, Outcome> outcome) {
    Map<String, Integer> counted = new ConcurrentHashMap<>();
    List<Future<Void>> chains = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Outcome o = outcome.apply(i);
      chains.add(pool.lease().compose(lease -> {
        if (o != Outcome.NEUTRAL) counted.merge(lease.accountId(), 1, Integer::sum);
        pool.release(lease, o);
        return Future.<Void>succeededFuture();
      }));
    }
    Future.all(chains).await();
    return new HashMap<>(counted);
  }

  @Test
  void maxErrorCountDisablesAndASuccessResetsTheStreak(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 3);
    String id = create(pool, newAccount("flaky", "at", true));

    for (int i = 0; i < 2; i++) pool.release(pool.lease().await(), Outcome.FAILURE);
    pool.release(pool.lease().await(), Outcome.SUCCESS);
    JsonObject reset = pool.get(id).await();
    assertThat(reset.getInteger("error_count")).isZero();
    assertThat(reset.getInteger("success_count")).isEqualTo(1);

    for (int i = 0; i < 3; i++) pool.release(pool.lease().await(), Outcome.FAILURE);
    JsonObject disabled = pool.get(id).await();
    assertThat(disabled.getBoolean("enabled")).isFalse();
    assertThat(disabled.getInteger("error_count")).isEqualTo(3);
    assertThat(disabled.getJsonObject("other").getString("disabledReason")).isEqualTo("max_error_count");
    assertThat(busFailure(vertx, Addresses.ACCOUNTS_LEASE, new JsonObject()).failureCode())
        .isEqualTo(BusFailure.NO_ACCOUNT.code());

    JsonObject reEnabled = pool.update(id, new JsonObject().put("enabled", true)).await();
    assertThat(reEnabled.getBoolean("enabled")).isTrue();
    assertThat(reEnabled.getInteger("error_count")).isZero();
    assertThat(reEnabled.getJsonObject("other").containsKey("disabledReason")).isFalse();
  }

  @Test
  void aLeaseIsReleasedExactlyOnce(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    String id = create(pool, newAccount("once", "at", true));
    Lease lease = pool.lease().await();

    ReplyException bad = busFailure(vertx, Addresses.ACCOUNTS_RELEASE,
        new JsonObject().put("leaseId", lease.leaseId()).put("outcome", "great"));
    assertThat(bad.failureCode()).isEqualTo(BusFailure.BAD_REQUEST.code());
    assertThat(bad.getMessage()).contains("outcome");

    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", "success");
    JsonObject first = vertx.eventBus().<JsonObject>request(Addresses.ACCOUNTS_RELEASE, body).await().body();
    JsonObject second = vertx.eventBus().<JsonObject>request(Addresses.ACCOUNTS_RELEASE, body).await().body();
    pool.release(lease, Outcome.FAILURE); // a third try, with another outcome: ignored too
    JsonObject unknown = vertx.eventBus().<JsonObject>request(Addresses.ACCOUNTS_RELEASE,
        new JsonObject().put("leaseId", "no-such-lease").put("outcome", "success")).await().body();

    assertThat(first.getBoolean("released")).isTrue();
    assertThat(second.getBoolean("released")).isFalse();
    assertThat(unknown.getBoolean("released")).isFalse();
    JsonObject account = pool.get(id).await();
    assertThat(account.getInteger("success_count")).isEqualTo(1);
    assertThat(account.getInteger("error_count")).isZero();
    assertThat(pool.health().await().getInteger("activeLeases")).isZero();
  }

  @Test
  void healthReportsDatabaseEnabledAccountsAndLiveLeases(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    create(pool, newAccount("a", "at", true));
    create(pool, newAccount("b", "at", true));
    create(pool, newAccount("c", "at", false));
    Lease lease = pool.lease().await();

    assertThat(pool.health().await())
        .isEqualTo(new JsonObject().put("db", true).put("enabledAccounts", 2).put("activeLeases", 1));
    pool.release(lease, Outcome.NEUTRAL);
    assertThat(pool.health().await().getInteger("activeLeases")).isZero();
  }

  @Test
  void badBusRequestsFailWithBadRequestNamingTheField(Vertx vertx) {
    start(vertx, 100);
    ReplyException noId = busFailure(vertx, Addresses.ACCOUNTS_GET, new JsonObject());
    assertThat(noId.failureCode()).isEqualTo(BusFailure.BAD_REQUEST.code());
    assertThat(noId.getMessage()).contains("'id'");

    ReplyException noPatch = busFailure(vertx, Addresses.ACCOUNTS_UPDATE, new JsonObject().put("id", "x"));
    assertThat(noPatch.getMessage()).contains("'patch'");

    Throwable notJson = catchThrowable(() -> vertx.eventBus().request(Addresses.ACCOUNTS_LIST, "hello").await());
    assertThat(((ReplyException) notJson).failureCode()).isEqualTo(BusFailure.BAD_REQUEST.code());

    ReplyException missing = busFailure(vertx, Addresses.ACCOUNTS_DELETE, new JsonObject().put("id", "nope"));
    assertThat(missing.failureCode()).isEqualTo(BusFailure.NOT_FOUND.code());
  }

  @Test
  void unwritableDatabasePathFailsTheDeploymentWithAClearMessage(Vertx vertx) throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    String url = "jdbc:sqlite:" + file.resolve("accounts.sqlite3");
    Throwable err = catchThrowable(() -> vertx.deployVerticle(new AccountPoolVerticle(config(url, 100).pool(), io.qbridge.time.Timekeeper::system)).await());
    assertThat(err).isInstanceOf(StoreException.class)
        .hasMessageContaining("Cannot open the database '" + file.resolve("accounts.sqlite3") + "'");
    assertThat(vertx.deploymentIDs()).isEmpty();
  }

  @Test
  void tokenExpiryRules() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    Account fresh = new Account("1", null, "c", "s", "r", "a", null, null, RefreshStatus.NEVER, now, now, true, 0, 0,
        now.plusSeconds(61));
    assertThat(TokenRefresher.needsRefresh(fresh, now)).isFalse();
    assertThat(TokenRefresher.needsRefresh(withExpiry(fresh, now.plusSeconds(60)), now)).isTrue();
    assertThat(TokenRefresher.needsRefresh(withExpiry(fresh, now.minusSeconds(1)), now)).isTrue();
    // unknown expiry: assumed valid for 1500 s after creation (or the last successful refresh)
    Account unknown = withExpiry(fresh, null);
    assertThat(TokenRefresher.needsRefresh(unknown, now.plus(Duration.ofSeconds(1400)))).isFalse();
    assertThat(TokenRefresher.needsRefresh(unknown, now.plus(Duration.ofSeconds(1450)))).isTrue();
    Account noToken = new Account("1", null, "c", "s", "r", null, null, null, null, now, now, true, 0, 0, null);
    assertThat(TokenRefresher.needsRefresh(noToken, now)).isTrue();
  }

  private static JsonObject releaseBody(Lease lease, String action, String reason, Long retryAfterMs) {
    JsonObject body = new JsonObject().put("leaseId", lease.leaseId()).put("outcome", "failure").put("action", action)
        .put("reason", reason);
    if (retryAfterMs != null) body.put("retryAfterMs", retryAfterMs);
    return body;
  }

  @Test
  void leaseSkipsExcludedAccountsAndSaysWhyWhenNoneIsLeft(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    String a = create(pool, newAccount("a", "at-a", true));
    String b = create(pool, newAccount("b", "at-b", true));
    for (int i = 0; i < 20; i++) {
      Lease lease = pool.lease(List.of(a)).await();
      assertThat(lease.accountId()).isEqualTo(b);
      pool.release(lease, Outcome.NEUTRAL);
    }
    Throwable err = catchThrowable(() -> pool.lease(List.of(a, b)).await());
    assertThat(err).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(503);
      assertThat(g.getMessage()).isEqualTo("No other enabled account available");
    });
  }

  @Test
  void cooldownHoldsTheAccountAndAllCoolingMeans429WithTheSoonestEnd(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    String a = create(pool, newAccount("a", "at-a", true));
    String b = create(pool, newAccount("b", "at-b", true));
    Lease first = pool.lease().await();
    vertx.eventBus().request(Addresses.ACCOUNTS_RELEASE, releaseBody(first, "cooldown", "throttled", 30_000L)).await();
    String other = first.accountId().equals(a) ? b : a;
    for (int i = 0; i < 10; i++) {
      Lease lease = pool.lease().await();
      assertThat(lease.accountId()).isEqualTo(other);
      pool.release(lease, Outcome.NEUTRAL);
    }
    Lease second = pool.lease().await();
    vertx.eventBus().request(Addresses.ACCOUNTS_RELEASE, releaseBody(second, "cooldown", "throttled", 4_000L)).await();

    ReplyException raw = busFailure(vertx, Addresses.ACCOUNTS_LEASE, new JsonObject());
    assertThat(raw.failureCode()).isEqualTo(BusFailure.COOLING_DOWN.code());
    Throwable err = catchThrowable(() -> pool.lease().await());
    assertThat(err).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(429);
      assertThat(g.type()).isEqualTo(ErrorType.RATE_LIMIT);
      assertThat(g.getMessage()).startsWith("All accounts are rate limited: 2 cooling down");
      assertThat(g.retryAfterSeconds()).isBetween(3L, 5L); // the 4 s (+ jitter) one, not the 30 s one
    });
    JsonObject cooled = pool.get(first.accountId()).await();
    assertThat(cooled.getString("state")).isEqualTo("cooldown");
    assertThat(cooled.getJsonObject("other").getString("cooldownReason")).isEqualTo("throttled");
    assertThat(cooled.getInteger("error_count")).isEqualTo(1);
  }

  @Test
  void parksAndSuspensionsSurviveARestart(Vertx vertx) throws Exception {
    AppConfig cfg = config(dir, 100);
    String deployment = deployPool(vertx, cfg);
    AccountPoolClient pool = new AccountPoolClient(vertx);
    String parked = create(pool, newAccount("parked", "at-p", true));
    String suspended = create(pool, newAccount("suspended", "at-s", true));
    for (int i = 0; i < 2; i++) {
      Lease lease = pool.lease().await();
      boolean isParked = lease.accountId().equals(parked);
      vertx.eventBus().request(Addresses.ACCOUNTS_RELEASE,
          releaseBody(lease, isParked ? "park" : "disable", isParked ? "quota_exhausted" : "suspended", null)).await();
    }
    vertx.undeploy(deployment).await();

    deployPool(vertx, cfg);
    Throwable err = catchThrowable(() -> pool.lease().await());
    assertThat(err).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(503);
      assertThat(g.getMessage()).startsWith("All accounts have exhausted their usage quota; the first one returns at ");
    });
    Map<String, Object> row = rawRow(dir, parked);
    JsonObject other = new JsonObject((String) row.get("other"));
    assertThat(Instant.parse(other.getString("parkedUntil"))).isEqualTo(AccountHolds.firstOfNextMonthUtc(Instant.now()));
    assertThat(other.getString("parkedReason")).isEqualTo("quota_exhausted");
    JsonObject s = pool.get(suspended).await();
    assertThat(s.getBoolean("enabled")).isFalse();
    assertThat(s.getJsonObject("other").getString("disabledReason")).isEqualTo("suspended");
  }

  @Test
  void concurrencyCapSkipsBusyAccounts(Vertx vertx) {
    deployPool(vertx, AccountTestSupport.config(AccountTestSupport.sqliteUrl(dir), 100, Map.of("ACCOUNT_MAX_CONCURRENCY", "2")));
    AccountPoolClient pool = new AccountPoolClient(vertx);
    create(pool, newAccount("a", "at-a", true));
    create(pool, newAccount("b", "at-b", true));
    List<Lease> held = new ArrayList<>();
    for (int i = 0; i < 4; i++) held.add(pool.lease().await());
    assertThat(held.stream().collect(java.util.stream.Collectors.groupingBy(Lease::accountId, java.util.stream.Collectors.counting())))
        .hasSize(2).allSatisfy((id, n) -> assertThat(n).isEqualTo(2L));
    Throwable err = catchThrowable(() -> pool.lease().await());
    assertThat(err).isInstanceOfSatisfying(GatewayException.class, g -> {
      assertThat(g.status()).isEqualTo(503);
      assertThat(g.getMessage()).contains("busy");
      assertThat(g.retryAfterSeconds()).isEqualTo(1);
    });
    pool.release(held.get(0), Outcome.SUCCESS);
    assertThat(pool.lease().await().accountId()).isEqualTo(held.get(0).accountId());
  }

  @Test
  void aForcedLeaseRefreshIsSkippedWhenAnotherRequestAlreadyRefreshed(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    AtomicInteger n = new AtomicInteger();
    List<JsonObject> calls = fakeRefresher(vertx, req -> after(vertx, 100,
        new JsonObject().put("accessToken", "new-" + n.incrementAndGet()).put("expiresIn", 3600)));
    create(pool, newAccount("a", "old", true));
    List<Lease> leases = List.of(pool.lease().await(), pool.lease().await(), pool.lease().await());

    // two requests rejected at once share one refresh; a third, rejected later with the same stale token, reuses it
    List<Lease> refreshed = Future.all(pool.refreshLease(leases.get(0)), pool.refreshLease(leases.get(1))).await()
        .<Lease>list();
    Lease late = pool.refreshLease(leases.get(2)).await();

    assertThat(calls).hasSize(1);
    assertThat(refreshed).extracting(Lease::accessToken).containsOnly("new-1");
    assertThat(refreshed).extracting(Lease::leaseId).containsExactly(leases.get(0).leaseId(), leases.get(1).leaseId());
    assertThat(late.accessToken()).isEqualTo("new-1");
    // the lease now holds new-1: if that one is rejected too, it is refreshed again
    assertThat(pool.refreshLease(late).await().accessToken()).isEqualTo("new-2");
    assertThat(calls).hasSize(2);
    Throwable unknown = catchThrowable(() -> pool.refreshLease(new Lease("nope", "x", null, "t")).await());
    assertThat(unknown).isInstanceOfSatisfying(GatewayException.class, g -> assertThat(g.status()).isEqualTo(404));
  }

  @Test
  void releaseRejectsAnUnknownAction(Vertx vertx) {
    AccountPoolClient pool = start(vertx, 100);
    create(pool, newAccount("a", "at", true));
    Lease lease = pool.lease().await();
    ReplyException bad = busFailure(vertx, Addresses.ACCOUNTS_RELEASE, releaseBody(lease, "explode", null, null));
    assertThat(bad.failureCode()).isEqualTo(BusFailure.BAD_REQUEST.code());
    assertThat(bad.getMessage()).contains("action").contains("cooldown");
  }

  @Test
  void quotaResetsOnTheFirstOfNextMonthUtc() {
    assertThat(AccountHolds.firstOfNextMonthUtc(Instant.parse("2025-12-31T23:59:59Z")))
        .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    assertThat(AccountHolds.firstOfNextMonthUtc(Instant.parse("2026-02-01T00:00:00Z")))
        .isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
  }

  private static Account withExpiry(Account a, Instant expiresAt) {
    return new Account(a.id(), a.label(), a.clientId(), a.clientSecret(), a.refreshToken(), a.accessToken(), a.other(),
        a.lastRefreshTime(), a.lastRefreshStatus(), a.createdAt(), a.updatedAt(), a.enabled(), a.errorCount(),
        a.successCount(), expiresAt);
  }
}
