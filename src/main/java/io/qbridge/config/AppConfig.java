package io.qbridge.config;

import java.util.List;

/**
 * The whole, validated, immutable configuration of one qbridge process. Built once at startup by
 * {@link ConfigLoader} from (lowest to highest precedence) built-in defaults, {@code conf/config.yaml}
 * or {@code conf/config.json}, a {@code .env} file in the working directory, then environment variables.
 * Keys are the environment names listed on each component (a public contract, see README).
 *
 * <p>{@link #toString()} is {@link #describe()}: secrets are masked, so the record can be logged.
 *
 * @param host                     HOST: listen address
 * @param port                     PORT: listen port (0 = any free port, used by tests)
 * @param httpInstances            HTTP_INSTANCES: HTTP verticle instances (default: number of cores)
 * @param apiKeys                  OPENAI_KEYS: client API keys; empty = dev mode, no check
 * @param adminKey                 ADMIN_KEY: key for the admin API and console (empty = unset)
 * @param maxErrorCount            MAX_ERROR_COUNT: consecutive errors before an account is disabled
 * @param httpProxy                HTTP_PROXY: proxy URL for every outbound call, empty = direct
 * @param databaseUrl              DATABASE_URL: JDBC URL of the account store
 * @param amazonqEndpoint          AMAZONQ_ENDPOINT: GenerateAssistantResponse URL
 * @param oidcEndpoint             AMAZONQ_OIDC_ENDPOINT: AWS SSO-OIDC base URL
 * @param startUrl                 AMAZONQ_START_URL: Builder ID start URL
 * @param templatesDir             TEMPLATES_DIR: folder holding the upstream request template
 * @param upstreamConnectTimeoutMs UPSTREAM_CONNECT_TIMEOUT_MS: TCP/TLS connect timeout
 * @param upstreamIdleTimeoutMs    UPSTREAM_IDLE_TIMEOUT_MS: max silence on an upstream stream
 * @param upstreamMaxConnections   UPSTREAM_MAX_CONNECTIONS: pooled keep-alive connections per HTTP verticle
 * @param pingIntervalMs           SSE_PING_INTERVAL_MS: keep-alive interval while upstream is silent
 * @param tokenCountMultiplier     TOKEN_COUNT_MULTIPLIER: factor applied to local token estimates
 * @param maxBodyBytes             MAX_BODY_BYTES: largest accepted request body
 * @param contextTokenLimit        CONTEXT_TOKEN_LIMIT: local prompt-size check in estimated tokens, 0 = off
 * @param deviceLoginClaimTimeoutSeconds DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS: longest wait of one device-login claim
 * @param deviceLoginRetentionSeconds    DEVICE_LOGIN_RETENTION_SECONDS: how long a finished device login stays readable
 * @param refreshIntervalSeconds   REFRESH_INTERVAL_SECONDS: period of the background token refresh sweep
 * @param refreshMaxAgeSeconds     REFRESH_MAX_AGE_SECONDS: the sweep refreshes tokens older than this
 * @param refreshBeforeExpirySeconds REFRESH_BEFORE_EXPIRY_SECONDS: ... and tokens expiring within this
 * @param maxAttempts              MAX_ATTEMPTS: accounts tried per request before the first byte (failover)
 * @param accountMaxConcurrency    ACCOUNT_MAX_CONCURRENCY: live leases per account, 0 = unlimited
 * @param cooldownSeconds          COOLDOWN_SECONDS: throttled account's pause when upstream sends no retry-after
 * @param shortCooldownSeconds     SHORT_COOLDOWN_SECONDS: pause after capacity, 5xx and timeout errors
 * @param longCooldownSeconds      LONG_COOLDOWN_SECONDS: pause after a "suspicious activity" 429
 * @param quotaParkSeconds         QUOTA_PARK_SECONDS: how long a quota-exhausted account is parked, 0 = until next month (UTC)
 * @param shutdownGraceSeconds     SHUTDOWN_GRACE_SECONDS: how long a stopping server lets in-flight requests finish
 * @param upstreamHeadersTimeoutMs UPSTREAM_HEADERS_TIMEOUT_MS: longest wait for Amazon Q's response headers (capped by the idle timeout)
 * @param responsesTtlHours        RESPONSES_TTL_HOURS: how long a stored Responses API response stays retrievable
 * @param responsesMaxBytes        RESPONSES_MAX_BYTES: largest stored response (with its conversation); larger ones are not stored
 * @param responsesStoreMaxBytes   RESPONSES_STORE_MAX_BYTES: total size of stored responses, oldest evicted first
 */
public record AppConfig(
    String host,
    int port,
    int httpInstances,
    List<String> apiKeys,
    String adminKey,
    int maxErrorCount,
    String httpProxy,
    String databaseUrl,
    String amazonqEndpoint,
    String oidcEndpoint,
    String startUrl,
    String templatesDir,
    int upstreamConnectTimeoutMs,
    int upstreamIdleTimeoutMs,
    int upstreamMaxConnections,
    int pingIntervalMs,
    double tokenCountMultiplier,
    int maxBodyBytes,
    int contextTokenLimit,
    int deviceLoginClaimTimeoutSeconds,
    int deviceLoginRetentionSeconds,
    int refreshIntervalSeconds,
    int refreshMaxAgeSeconds,
    int refreshBeforeExpirySeconds,
    int maxAttempts,
    int accountMaxConcurrency,
    int cooldownSeconds,
    int shortCooldownSeconds,
    int longCooldownSeconds,
    int quotaParkSeconds,
    int shutdownGraceSeconds,
    int upstreamHeadersTimeoutMs,
    int responsesTtlHours,
    int responsesMaxBytes,
    int responsesStoreMaxBytes) {

  public AppConfig {
    apiKeys = List.copyOf(apiKeys);
  }

  /** True when clients must present one of {@link #apiKeys()}; false is dev mode (no check). */
  public boolean authRequired() {
    return !apiKeys.isEmpty();
  }

  /** True when the admin API and console are enabled (an ADMIN_KEY is set). */
  public boolean adminEnabled() {
    return adminKey != null && !adminKey.isEmpty();
  }

  /**
   * One line summarising every setting, safe to log: API keys appear only as a count, the admin
   * key only as set/unset, and credentials inside URLs (proxy user-info, database passwords) are
   * replaced by {@code ***}.
   */
  public String describe() {
    return "host=" + host
        + " port=" + port
        + " httpInstances=" + httpInstances
        + " auth=" + (authRequired() ? "required(" + apiKeys.size() + " keys)" : "off")
        + " adminKey=" + (adminEnabled() ? "set" : "unset")
        + " maxErrorCount=" + maxErrorCount
        + " httpProxy=" + (httpProxy == null || httpProxy.isEmpty() ? "none" : Redaction.maskUrl(httpProxy))
        + " databaseUrl=" + Redaction.maskUrl(databaseUrl)
        + " amazonqEndpoint=" + Redaction.maskUrl(amazonqEndpoint)
        + " oidcEndpoint=" + Redaction.maskUrl(oidcEndpoint)
        + " startUrl=" + Redaction.maskUrl(startUrl)
        + " templatesDir=" + templatesDir
        + " upstreamConnectTimeoutMs=" + upstreamConnectTimeoutMs
        + " upstreamIdleTimeoutMs=" + upstreamIdleTimeoutMs
        + " upstreamMaxConnections=" + upstreamMaxConnections
        + " pingIntervalMs=" + pingIntervalMs
        + " tokenCountMultiplier=" + tokenCountMultiplier
        + " maxBodyBytes=" + maxBodyBytes
        + " contextTokenLimit=" + contextTokenLimit
        + " deviceLoginClaimTimeoutSeconds=" + deviceLoginClaimTimeoutSeconds
        + " deviceLoginRetentionSeconds=" + deviceLoginRetentionSeconds
        + " refresh=" + refreshIntervalSeconds + "s/maxAge " + refreshMaxAgeSeconds + "s/beforeExpiry "
        + refreshBeforeExpirySeconds + "s"
        + " maxAttempts=" + maxAttempts
        + " accountMaxConcurrency=" + (accountMaxConcurrency == 0 ? "unlimited" : accountMaxConcurrency)
        + " cooldowns=" + cooldownSeconds + "s/short " + shortCooldownSeconds + "s/long " + longCooldownSeconds + "s"
        + " quotaPark=" + (quotaParkSeconds == 0 ? "next-month" : quotaParkSeconds + "s")
        + " shutdownGrace=" + shutdownGraceSeconds + "s"
        + " upstreamHeadersTimeoutMs=" + upstreamHeadersTimeoutMs
        + " responses=" + responsesTtlHours + "h/" + responsesMaxBytes + "B each/" + responsesStoreMaxBytes + "B total";
  }

  /** Same as {@link #describe()}, so an accidentally logged record never leaks keys. */
  @Override
  public String toString() {
    return "AppConfig[" + describe() + "]";
  }
}
