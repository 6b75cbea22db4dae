package io.qbridge.bus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class AccountPoolClientTest {

  private static GatewayException failureOf(io.vertx.core.Future<?> future) {
    Throwable err = catchThrowable(future::await);
    assertThat(err).isInstanceOf(GatewayException.class);
    return (GatewayException) err;
  }

  @Test
  void noPoolDeployedIs503(Vertx vertx) {
    GatewayException e = failureOf(new AccountPoolClient(vertx).lease());
    assertThat(e.status()).isEqualTo(503);
    assertThat(e.type()).isEqualTo(ErrorType.OVERLOADED);
  }

  @Test
  void poolNotAnsweringIs504(Vertx vertx) {
    vertx.eventBus().consumer(Addresses.ACCOUNTS_HEALTH, msg -> { /* never answers */ }).completion().await();
    GatewayException e = failureOf(new AccountPoolClient(vertx, 200, 200).health());
    assertThat(e.status()).isEqualTo(504);
    assertThat(e.type()).isEqualTo(ErrorType.TIMEOUT);
  }

  @Test
  void recipientFailuresMapToTheBusFailureStatusAndErrorType(Vertx vertx) {
    vertx.eventBus().<JsonObject>consumer(Addresses.ACCOUNTS_GET,
        msg -> msg.fail(Integer.parseInt(msg.body().getString("id")), "text for client")).completion().await();
    AccountPoolClient client = new AccountPoolClient(vertx);
    record Case(int code, int status, ErrorType type) {}
    List<Case> cases = List.of(
        new Case(BusFailure.BAD_REQUEST.code(), 400, ErrorType.INVALID_REQUEST),
        new Case(BusFailure.NOT_FOUND.code(), 404, ErrorType.NOT_FOUND),
        new Case(BusFailure.NO_ACCOUNT.code(), 503, ErrorType.OVERLOADED),
        new Case(BusFailure.REFRESH_FAILED.code(), 502, ErrorType.API_ERROR),
        new Case(BusFailure.STORE_UNAVAILABLE.code(), 503, ErrorType.OVERLOADED),
        new Case(BusFailure.INTERNAL.code(), 500, ErrorType.API_ERROR),
        new Case(BusFailure.INVALID_GRANT.code(), 502, ErrorType.API_ERROR),
        new Case(BusFailure.CONFLICT.code(), 409, ErrorType.INVALID_REQUEST),
        new Case(BusFailure.OIDC_FAILED.code(), 502, ErrorType.API_ERROR),
        new Case(BusFailure.COOLING_DOWN.code(), 429, ErrorType.RATE_LIMIT),
        new Case(BusFailure.LOCAL_CAPACITY.code(), 503, ErrorType.OVERLOADED),
        new Case(999, 500, ErrorType.API_ERROR));
    for (Case c : cases) {
      GatewayException e = failureOf(client.get(Integer.toString(c.code())));
      assertThat(e.status()).as("status for code " + c.code()).isEqualTo(c.status());
      assertThat(e.type()).as("type for code " + c.code()).isEqualTo(c.type());
      assertThat(e.getMessage()).isEqualTo("text for client");
    }
  }

  @Test
  void aBusErrorCrossesTheBusWithItsFields(Vertx vertx) {
    Bus.consume(vertx, Addresses.ACCOUNTS_LEASE, body -> Future.failedFuture(
        new BusError(BusFailure.COOLING_DOWN, "All accounts are rate limited", 7, AccountAction.NONE, "op detail"))).await();
    GatewayException e = failureOf(new AccountPoolClient(vertx).lease());
    assertThat(e.status()).isEqualTo(429);
    assertThat(e.type()).isEqualTo(ErrorType.RATE_LIMIT);
    assertThat(e.getMessage()).isEqualTo("All accounts are rate limited"); // retry-after is a field, not text
    assertThat(e.retryAfterSeconds()).isEqualTo(7);
  }

  @Test
  void consumersAnswerBadBodiesAndUnexpectedErrorsWithoutInternals(Vertx vertx) {
    Bus.consume(vertx, "test.echo", body -> {
      if (body.containsKey("boom")) throw new IllegalStateException("secret internals");
      return Future.succeededFuture(body);
    }).await();
    Throwable notJson = catchThrowable(() -> vertx.eventBus().request("test.echo", "text").await());
    assertThat(BusError.from(notJson, "Echo").failure()).isEqualTo(BusFailure.BAD_REQUEST);
    BusError boom = BusError.from(catchThrowable(() -> vertx.eventBus().request("test.echo",
        new JsonObject().put("boom", true)).await()), "Echo");
    assertThat(boom.failure()).isEqualTo(BusFailure.INTERNAL);
    assertThat(boom.getMessage()).doesNotContain("secret");
    assertThat(vertx.eventBus().request("test.echo", null).await().body()).isEqualTo(new JsonObject());

    BusError nobody = BusError.from(catchThrowable(() -> vertx.eventBus().request("test.nobody", new JsonObject()).await()), "Nobody");
    assertThat(nobody.failure()).isEqualTo(BusFailure.UNAVAILABLE);
    assertThat(nobody.getMessage()).isEqualTo("Nobody is not available");
    assertThat(nobody.accountAction()).isEqualTo(AccountAction.NONE);
  }

  @Test
  void requestShapesOnTheBus(Vertx vertx) {
    List<String> seen = new CopyOnWriteArrayList<>();
    vertx.eventBus().<JsonObject>consumer(Addresses.ACCOUNTS_LEASE, msg -> msg.reply(
        new Lease("l-1", "acc-1", "lbl", "tok").toJson())).completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.ACCOUNTS_RELEASE, msg -> {
      seen.add(msg.body().encode());
      msg.reply(new JsonObject().put("released", true));
    }).completion().await();
    vertx.eventBus().<JsonObject>consumer(Addresses.ACCOUNTS_UPDATE, msg -> {
      seen.add(msg.body().encode());
      msg.reply(new JsonObject());
    }).completion().await();
    AccountPoolClient client = new AccountPoolClient(vertx);

    Lease lease = client.lease().await();
    assertThat(lease).isEqualTo(new Lease("l-1", "acc-1", "lbl", "tok"));
    assertThat(lease.toString()).doesNotContain("tok");
    client.release(lease, Outcome.FAILURE);
    client.update("acc-1", new JsonObject().put("label", "x")).await();
    assertThat(seen).containsExactly("{\"leaseId\":\"l-1\",\"outcome\":\"failure\"}",
        "{\"id\":\"acc-1\",\"patch\":{\"label\":\"x\"}}");
  }
}
