package io.qbridge.bus;

/**
 * Every event-bus address of the control plane, in one place. Lowercase dotted {@code domain.action}.
 * Bodies are {@link io.vertx.core.json.JsonObject}s; failures use {@code message.fail(code, text)}
 * with codes from {@link BusFailure}. Streaming data never crosses the bus.
 */
public final class Addresses {
  private Addresses() {}

  /** Lease an account for one upstream request. Reply: lease JSON (see AccountPoolClient). */
  public static final String ACCOUNTS_LEASE = "accounts.lease";
  /** Release a lease exactly once with the outcome of the request. */
  public static final String ACCOUNTS_RELEASE = "accounts.release";
  public static final String ACCOUNTS_CREATE = "accounts.create";
  public static final String ACCOUNTS_LIST = "accounts.list";
  public static final String ACCOUNTS_GET = "accounts.get";
  public static final String ACCOUNTS_UPDATE = "accounts.update";
  public static final String ACCOUNTS_DELETE = "accounts.delete";
  /** Health of the store: {@code {"db":true,"enabledAccounts":n,"activeLeases":n}}. */
  public static final String ACCOUNTS_HEALTH = "accounts.health";

  /**
   * OIDC refresh_token grant, served by the upstream verticle. Request
   * {@code {accountId, clientId, clientSecret, refreshToken}}; reply
   * {@code {accessToken, refreshToken?, expiresIn}} (refreshToken absent = keep the old one,
   * expiresIn in seconds, default 3600). Fail with {@link BusFailure#INVALID_GRANT} when the OIDC
   * server answers {@code invalid_grant} (the account pool then disables the account), with
   * {@link BusFailure#REFRESH_FAILED} otherwise. Answer within 20 s (the pool's request timeout):
   * a later answer is lost, and with it a rotated refresh token.
   */
  public static final String UPSTREAM_TOKEN_REFRESH = "upstream.token.refresh";
}
