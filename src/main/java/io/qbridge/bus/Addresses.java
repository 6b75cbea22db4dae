package io.qbridge.bus;

/**
 * Every event-bus address of the control plane, in one place. Lowercase dotted {@code domain.action}.
 * Bodies are {@link io.vertx.core.json.JsonObject}s; failures are {@link BusError}s (a
 * {@link BusFailure} code, message, retry-after, account action). Serve with {@link Bus#consume},
 * call through the typed clients. Streaming data never crosses the bus.
 */
public final class Addresses {
  private Addresses() {}

  /**
   * Lease an account for one upstream request. Request {@code {exclude?: [accountId...]}} (accounts
   * already tried by this request). Reply: lease JSON {@code {leaseId, accountId, label, accessToken}}.
   * Failures: NO_ACCOUNT (503, the text says why), COOLING_DOWN (429, its retry-after field set),
   * REFRESH_FAILED, STORE_UNAVAILABLE.
   */
  public static final String ACCOUNTS_LEASE = "accounts.lease";
  /**
   * Release a lease exactly once with the outcome of the request:
   * {@code {leaseId, outcome: success|failure|neutral, action?, reason?, retryAfterMs?}}; for a
   * failure, {@code action} is the upstream error's account action in lower case ({@code cooldown},
   * {@code disable}, {@code park}, ...; default {@code count_error}), {@code reason} the error kind
   * ({@code throttled}, {@code suspended}, ...) and {@code retryAfterMs} the upstream's retry-after.
   */
  public static final String ACCOUNTS_RELEASE = "accounts.release";
  /**
   * The upstream rejected a lease's access token (403 "bearer token invalid"): refresh it, forced,
   * and hand back the same lease with the new token. Request {@code {leaseId}}; reply: lease JSON.
   * Single flight per account; if the account's token already changed since the lease was
   * granted, that newer token is returned without a new OIDC call. Failures: NOT_FOUND (unknown
   * lease), REFRESH_FAILED.
   */
  public static final String ACCOUNTS_LEASE_REFRESH = "accounts.lease.refresh";
  /**
   * Admin: refresh one account's token now. Request {@code {id}}; reply: the account's admin JSON
   * (with {@code last_refresh_time}, {@code last_refresh_status}). Failures: NOT_FOUND,
   * REFRESH_FAILED (text says why, for operators).
   */
  public static final String ACCOUNTS_REFRESH = "accounts.refresh";
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
   * server answers {@code invalid_grant} (the account pool then disables the account),
   * {@link BusFailure#LOCAL_CAPACITY} when the call could not even get a connection (nothing is
   * counted), {@link BusFailure#REFRESH_FAILED} otherwise. Answer within 20 s (the pool's request timeout):
   * a later answer is lost, and with it a rotated refresh token.
   */
  public static final String UPSTREAM_TOKEN_REFRESH = "upstream.token.refresh";

  /**
   * Start a device login (AWS Builder ID), served by the upstream verticle. Request
   * {@code {label?, enabled?}}; reply {@code {authId, verificationUriComplete, verificationUri,
   * userCode, expiresIn, interval}}. Polling starts at once in the upstream verticle. Fails
   * BAD_REQUEST (field named), CONFLICT (too many logins polling), OIDC_FAILED. Takes up to two
   * OIDC round trips: use a generous timeout.
   */
  public static final String UPSTREAM_LOGIN_START = "upstream.login.start";
  /**
   * Status of a device login: request {@code {authId}}; reply {@code {status: pending|completed|
   * failed|expired, remaining (s), error?, accountId?}}. Fails NOT_FOUND for an unknown authId or a
   * finished session past its retention.
   */
  public static final String UPSTREAM_LOGIN_STATUS = "upstream.login.status";
  /**
   * Claim a device login: request {@code {authId}}; the reply comes when the session settles, or
   * after DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS: the status view plus {@code account} (admin JSON) when
   * completed; still {@code pending} means the claim timed out (the login goes on). The account is
   * created by the upstream verticle once, when the tokens arrive, never by a claim. Fails
   * NOT_FOUND. Send with a timeout longer than the claim timeout.
   */
  public static final String UPSTREAM_LOGIN_CLAIM = "upstream.login.claim";

  /**
   * An account's model catalog ({@code ListAvailableModels}), served by the upstream verticle.
   * Request {@code {accessToken}}; reply {@code {catalog: ModelCatalog JSON}} or, when Amazon Q
   * refused or could not be reached, {@code {failure: NOT_SUPPORTED|TOKEN_INVALID|…, summary}} (a
   * normal reply: such failures never disable an account).
   */
  public static final String UPSTREAM_MODELS_LIST = "upstream.models.list";
  /** An account's usage ({@code GetUsageLimits}): request {@code {accessToken}}; reply {@code {usage}} or {@code {failure, summary}}. */
  public static final String UPSTREAM_USAGE_GET = "upstream.usage.get";
  /**
   * What the gateway can serve, published by the pool to every HTTP verticle whenever a catalog
   * changes: the {@code ModelDirectory} JSON. Also a request address ({@code {}} → the same JSON)
   * so an HTTP verticle starting late gets the current one.
   */
  public static final String MODELS_DIRECTORY = "accounts.models.directory";
  /** Publish-only twin of {@link #MODELS_DIRECTORY} (a published message has no reply). */
  public static final String MODELS_DIRECTORY_CHANGED = "accounts.models.directory.changed";

  /**
   * Store a finished Responses API response, served by the response-store verticle. Request
   * {@code {id, response, items}} (response and items as encoded JSON strings, encoded on the
   * caller's loop); reply {@code {}}. Fails TOO_LARGE over RESPONSES_MAX_BYTES (not stored).
   */
  public static final String RESPONSES_PUT = "responses.put";
  /**
   * A stored response: request {@code {id}}; reply {@code {response, items}} as encoded JSON strings
   * (the caller decodes them where their size cannot stall a loop). Fails NOT_FOUND for an unknown
   * or expired id.
   */
  public static final String RESPONSES_GET = "responses.get";
  /** Delete a stored response: request {@code {id}}; reply {@code {}}. Fails NOT_FOUND. */
  public static final String RESPONSES_DELETE = "responses.delete";

  /**
   * Record one admin action in the audit log, served by the audit verticle. Request: an
   * {@code AuditEvent} JSON {@code {actor, address, action, accountId?, outcome, status, fields, values}}
   * (never secret values); reply {@code {id}} once stored. Fails BAD_REQUEST for a malformed event,
   * STORE_UNAVAILABLE when the database refused it (the caller logs a warning; the action stands).
   */
  public static final String AUDIT_RECORD = "audit.record";
  /**
   * Read the audit log, newest first: request {@code {limit, before?, accountId?}} (before: an entry
   * id, exclusive); reply {@code {entries: [entry...], nextBefore: id | null}}.
   */
  public static final String AUDIT_LIST = "audit.list";
}
