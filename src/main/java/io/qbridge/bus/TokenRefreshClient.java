package io.qbridge.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Typed client of {@link Addresses#UPSTREAM_TOKEN_REFRESH}, for the account pool. Failures are
 * {@link BusError}s whose {@link BusError#accountAction()} says what the refresh failure means for
 * the account: DISABLE for a revoked refresh token, COUNT_ERROR for a failed or unanswered refresh,
 * NONE when the refresh never ran (no refresher deployed, our own capacity).
 */
public final class TokenRefreshClient {
  /** Bus timeout of one refresh call; the refresher answers within it (see the address). */
  public static final long TIMEOUT_MS = 20_000;
  private static final String SERVICE = "Token refresher";

  /** A successful refresh: {@code refreshToken} null = keep the current one. */
  public record Tokens(String accessToken, String refreshToken, long expiresInSeconds) {}

  private final EventBus bus;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MS);
  private final long defaultExpiresInSeconds;

  /** @param defaultExpiresInSeconds lifetime assumed when the reply has no {@code expiresIn} */
  public TokenRefreshClient(Vertx vertx, long defaultExpiresInSeconds) {
    this.bus = vertx.eventBus();
    this.defaultExpiresInSeconds = defaultExpiresInSeconds;
  }

  public Future<Tokens> refresh(String accountId, String clientId, String clientSecret, String refreshToken) {
    JsonObject request = new JsonObject()
        .put("accountId", accountId)
        .put("clientId", clientId)
        .put("clientSecret", clientSecret)
        .put("refreshToken", refreshToken);
    return Bus.<Object>request(bus, Addresses.UPSTREAM_TOKEN_REFRESH, request, options, SERVICE)
        .recover(err -> Future.failedFuture(charged((BusError) err)))
        .compose(this::parse);
  }

  /**
   * Every refresh failure counts against the account (a timeout included) unless the refresh never
   * ran: no refresher deployed, or our own capacity limit.
   */
  private static BusError charged(BusError e) {
    boolean neverRan = e.failure() == BusFailure.UNAVAILABLE || e.failure() == BusFailure.LOCAL_CAPACITY;
    return neverRan || e.accountAction() != AccountAction.NONE ? e : e.withAccountAction(AccountAction.COUNT_ERROR);
  }

  private Future<Tokens> parse(Object body) {
    if (!(body instanceof JsonObject reply)) return Future.failedFuture(malformed("refresh reply is not a JSON object"));
    Object access = reply.getValue("accessToken");
    if (!(access instanceof String accessToken) || accessToken.isBlank()) {
      return Future.failedFuture(malformed("refresh reply has no accessToken"));
    }
    Object refresh = reply.getValue("refreshToken");
    String refreshToken = refresh instanceof String s && !s.isBlank() ? s : null;
    long expiresIn = reply.getValue("expiresIn") instanceof Number n && n.longValue() > 0
        ? n.longValue() : defaultExpiresInSeconds;
    return Future.succeededFuture(new Tokens(accessToken, refreshToken, expiresIn));
  }

  private static BusError malformed(String detail) {
    return new BusError(BusFailure.REFRESH_FAILED, "Token refresh failed", -1, AccountAction.COUNT_ERROR, detail);
  }
}
