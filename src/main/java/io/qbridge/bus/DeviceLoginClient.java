package io.qbridge.bus;

import io.qbridge.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;

/**
 * Typed client of the device-login addresses ({@code upstream.login.*}), served by the upstream
 * verticle. Failures are {@link GatewayException}s from the {@link BusFailure} table. Thread-safe.
 */
public final class DeviceLoginClient {
  /** Start makes up to two OIDC round trips. */
  static final long START_TIMEOUT_MS = 60_000;
  static final long STATUS_TIMEOUT_MS = 10_000;
  /** A claim is answered by the claim timeout at the latest; this margin covers the bus. */
  static final long CLAIM_MARGIN_MS = 10_000;
  private static final String SERVICE = "Device login service";

  private final EventBus bus;
  private final DeliveryOptions startOptions = new DeliveryOptions().setSendTimeout(START_TIMEOUT_MS);
  private final DeliveryOptions statusOptions = new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MS);
  private final DeliveryOptions claimOptions;

  /** @param claimTimeoutSeconds DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS: how long the service holds a claim */
  public DeviceLoginClient(Vertx vertx, long claimTimeoutSeconds) {
    this.bus = vertx.eventBus();
    this.claimOptions = new DeliveryOptions().setSendTimeout(claimTimeoutSeconds * 1000 + CLAIM_MARGIN_MS);
  }

  /** {@code {label?, enabled?}} → {@code {authId, verificationUriComplete, verificationUri, userCode, expiresIn, interval}}. */
  public Future<JsonObject> start(JsonObject request) {
    return request(Addresses.UPSTREAM_LOGIN_START, request, startOptions);
  }

  /** {@code {status, remaining, error?, accountId?}}; 404 for an unknown or expired authId. */
  public Future<JsonObject> status(String authId) {
    return request(Addresses.UPSTREAM_LOGIN_STATUS, new JsonObject().put("authId", authId), statusOptions);
  }

  /** Waits for the login to settle (at most the claim timeout): the status view, plus {@code account} when completed. */
  public Future<JsonObject> claim(String authId) {
    return request(Addresses.UPSTREAM_LOGIN_CLAIM, new JsonObject().put("authId", authId), claimOptions);
  }

  private Future<JsonObject> request(String address, JsonObject body, DeliveryOptions options) {
    return Bus.<JsonObject>request(bus, address, body, options, SERVICE)
        .recover(err -> Future.failedFuture(((BusError) err).toGatewayException()));
  }
}
