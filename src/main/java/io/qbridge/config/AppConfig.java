package io.qbridge.config;

import java.util.List;

/**
 * The whole, validated, immutable configuration of one qbridge process, one record per component
 * so that each verticle receives only its own settings. Built once at startup by
 * {@link ConfigLoader} from (lowest to highest precedence) built-in defaults, {@code conf/config.yaml}
 * or {@code conf/config.json}, a {@code .env} file in the working directory, then environment variables.
 * Keys are the environment names listed on each component (a public contract, see README).
 *
 * <p>{@link #toString()} is {@link #describe()}: secrets are masked, so the record can be logged.
 */
public record AppConfig(Http http, Upstream upstream, Pool pool, DeviceLogin deviceLogin, Responses responses,
                        Routing routing, Admin admin, Ops ops) {

  /**
   * Model catalogs, quota awareness and sticky conversations (issue 13).
   *
   * @param modelCatalogTtlSeconds MODEL_CATALOG_TTL_SECONDS: how often each account's ListAvailableModels is re-read
   * @param usageRefreshSeconds    USAGE_REFRESH_SECONDS: how often each account's GetUsageLimits is re-read
   * @param modelFallback          MODEL_FALLBACK (on/off): serve the closest available model (said in x-qbridge-model) or refuse
   * @param stickyMaxEntries       STICKY_MAX_ENTRIES: conversations remembered for sticky routing, 0 = off
   * @param stickyTtlSeconds       STICKY_TTL_SECONDS: how long an unused conversation stays bound to its account
   */
  public record Routing(int modelCatalogTtlSeconds, int usageRefreshSeconds, boolean modelFallback, int stickyMaxEntries,
                        int stickyTtlSeconds) {

    /** The defaults, for tests and tools that build a config by hand. */
    public static Routing defaults() {
      return new Routing(3600, 600, true, 100_000, 3600);
    }
  }

  /** Without routing, admin and ops settings: their defaults (for tests and tools that build a config by hand). */
  public AppConfig(Http http, Upstream upstream, Pool pool, DeviceLogin deviceLogin, Responses responses) {
    this(http, upstream, pool, deviceLogin, responses, Routing.defaults(), Admin.defaults(), Ops.defaults());
  }

  /**
   * The HTTP front and the chat flow.
   *
   * @param host                 HOST: listen address
   * @param port                 PORT: listen port (0 = any free port, used by tests)
   * @param instances            HTTP_INSTANCES: HTTP verticle instances (default: number of cores)
   * @param apiKeys              OPENAI_KEYS: client API keys; empty = dev mode, no check
   * @param adminKey             ADMIN_KEY: key for the admin API and console (empty = unset)
   * @param maxBodyBytes         MAX_BODY_BYTES: largest accepted request body
   * @param pingIntervalMs       SSE_PING_INTERVAL_MS: keep-alive interval while upstream is silent
   * @param tokenCountMultiplier TOKEN_COUNT_MULTIPLIER: factor applied to local token estimates
   * @param contextTokenLimit    CONTEXT_TOKEN_LIMIT: local prompt-size check in estimated tokens, 0 = off
   * @param maxAttempts          MAX_ATTEMPTS: accounts tried per request before the first byte (failover)
   * @param shutdownGraceSeconds SHUTDOWN_GRACE_SECONDS: how long a stopping server lets in-flight requests finish
   */
  public record Http(String host, int port, int instances, List<String> apiKeys, String adminKey, int maxBodyBytes,
                     int pingIntervalMs, double tokenCountMultiplier, int contextTokenLimit, int maxAttempts,
                     int shutdownGraceSeconds) {
    public Http {
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
  }

  /**
   * Every outbound call (Amazon Q and AWS SSO-OIDC).
   *
   * @param amazonqEndpoint  AMAZONQ_ENDPOINT: GenerateAssistantResponse URL
   * @param oidcEndpoint     AMAZONQ_OIDC_ENDPOINT: AWS SSO-OIDC base URL
   * @param startUrl         AMAZONQ_START_URL: Builder ID start URL
   * @param httpProxy        HTTP_PROXY: proxy URL for every outbound call, empty = direct
   * @param templatesDir     TEMPLATES_DIR: folder holding the upstream request template
   * @param connectTimeoutMs UPSTREAM_CONNECT_TIMEOUT_MS: TCP/TLS connect timeout
   * @param idleTimeoutMs    UPSTREAM_IDLE_TIMEOUT_MS: max silence on an upstream stream
   * @param headersTimeoutMs UPSTREAM_HEADERS_TIMEOUT_MS: longest wait for Amazon Q's response headers (capped by the idle timeout)
   * @param maxConnections   UPSTREAM_MAX_CONNECTIONS: pooled upstream connections per HTTP verticle, and so its concurrent chat requests
   */
  public record Upstream(String amazonqEndpoint, String oidcEndpoint, String startUrl, String httpProxy,
                         String templatesDir, int connectTimeoutMs, int idleTimeoutMs, int headersTimeoutMs,
                         int maxConnections) {}

  /**
   * The account pool.
   *
   * @param databaseUrl                DATABASE_URL: JDBC URL of the account store (the Responses store shares it)
   * @param maxErrorCount              MAX_ERROR_COUNT: consecutive errors before an account is disabled
   * @param accountMaxConcurrency      ACCOUNT_MAX_CONCURRENCY: live leases per account, 0 = unlimited
   * @param cooldownSeconds            COOLDOWN_SECONDS: throttled account's pause when upstream sends no retry-after
   * @param shortCooldownSeconds       SHORT_COOLDOWN_SECONDS: pause after capacity, 5xx and timeout errors
   * @param longCooldownSeconds        LONG_COOLDOWN_SECONDS: pause after a "suspicious activity" 429
   * @param quotaParkSeconds           QUOTA_PARK_SECONDS: how long a quota-exhausted account is parked, 0 = until next month (UTC)
   * @param refreshIntervalSeconds     REFRESH_INTERVAL_SECONDS: period of the background token refresh sweep
   * @param refreshMaxAgeSeconds       REFRESH_MAX_AGE_SECONDS: the sweep refreshes tokens older than this
   * @param refreshBeforeExpirySeconds REFRESH_BEFORE_EXPIRY_SECONDS: ... and tokens expiring within this
   * @param secretsKey                 SECRETS_KEY: AES-256 key (32 bytes, base64) the account secrets are stored
   *                                   encrypted with; empty = stored as given (see {@link SecretsKey})
   * @param secretsKeyPrevious         SECRETS_KEY_PREVIOUS: the key being rotated away from; values it
   *                                   decrypts are re-encrypted with SECRETS_KEY at start; empty = none
   */
  public record Pool(String databaseUrl, int maxErrorCount, int accountMaxConcurrency, int cooldownSeconds,
                     int shortCooldownSeconds, int longCooldownSeconds, int quotaParkSeconds,
                     int refreshIntervalSeconds, int refreshMaxAgeSeconds, int refreshBeforeExpirySeconds,
                     String secretsKey, String secretsKeyPrevious) {

    /** Without encryption at rest. */
    public Pool(String databaseUrl, int maxErrorCount, int accountMaxConcurrency, int cooldownSeconds,
        int shortCooldownSeconds, int longCooldownSeconds, int quotaParkSeconds,
        int refreshIntervalSeconds, int refreshMaxAgeSeconds, int refreshBeforeExpirySeconds) {
      this(databaseUrl, maxErrorCount, accountMaxConcurrency, cooldownSeconds, shortCooldownSeconds, longCooldownSeconds,
          quotaParkSeconds, refreshIntervalSeconds, refreshMaxAgeSeconds, refreshBeforeExpirySeconds, "", "");
    }

    public Pool {
      secretsKey = secretsKey == null ? "" : secretsKey;
      secretsKeyPrevious = secretsKeyPrevious == null ? "" : secretsKeyPrevious;
    }

    /** Never prints the keys (the generated one would): a logged pool slice must not leak them. */
    @Override
    public String toString() {
      return "Pool[databaseUrl=" + Redaction.maskUrl(databaseUrl) + ", maxErrorCount=" + maxErrorCount
          + ", secretsKey=" + (secretsKey.isEmpty() ? "unset" : "set")
          + ", secretsKeyPrevious=" + (secretsKeyPrevious.isEmpty() ? "unset" : "set") + "]";
    }
  }

  /**
   * Device logins.
   *
   * @param claimTimeoutSeconds DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS: longest wait of one device-login claim
   * @param retentionSeconds    DEVICE_LOGIN_RETENTION_SECONDS: how long a finished device login stays readable
   */
  public record DeviceLogin(int claimTimeoutSeconds, int retentionSeconds) {}

  /**
   * The Responses API store.
   *
   * @param ttlHours      RESPONSES_TTL_HOURS: how long a stored Responses API response stays retrievable
   * @param maxBytes      RESPONSES_MAX_BYTES: largest stored response (with its conversation); larger ones are not stored
   * @param storeMaxBytes RESPONSES_STORE_MAX_BYTES: total size of stored responses, oldest evicted first
   */
  public record Responses(int ttlHours, int maxBytes, int storeMaxBytes) {}

  /**
   * Admin security: console sessions and the reverse proxies believed (the key itself is {@link Http#adminKey()}).
   *
   * @param sessionIdleTimeoutSeconds SESSION_IDLE_TIMEOUT_SECONDS: a console session unused this long ends
   * @param sessionMaxLifetimeSeconds SESSION_MAX_LIFETIME_SECONDS: a console session ends this long after sign-in
   * @param trustedProxies            TRUSTED_PROXIES: addresses or CIDR ranges of reverse proxies whose
   *                                  X-Forwarded-For / X-Forwarded-Proto are believed; empty = none
   * @param auditRetentionDays        AUDIT_RETENTION_DAYS: audit log entries older than this are deleted
   */
  public record Admin(int sessionIdleTimeoutSeconds, int sessionMaxLifetimeSeconds, List<String> trustedProxies,
                      int auditRetentionDays) {
    public Admin {
      trustedProxies = List.copyOf(trustedProxies);
    }

    /** With the default audit retention (90 days). */
    public Admin(int sessionIdleTimeoutSeconds, int sessionMaxLifetimeSeconds, List<String> trustedProxies) {
      this(sessionIdleTimeoutSeconds, sessionMaxLifetimeSeconds, trustedProxies, 90);
    }

    /** The defaults (8 h idle, 24 h lifetime, no trusted proxy, 90 days of audit log), for configs built by hand. */
    public static Admin defaults() {
      return new Admin(28_800, 86_400, List.of(), 90);
    }
  }

  /**
   * Operations: metrics and alerts.
   *
   * @param metricsPort             METRICS_PORT: a second port serving only /metrics, without a key; 0 = none
   * @param alertWebhookUrl         ALERT_WEBHOOK_URL: where account lifecycle events are POSTed; empty = no alerts (a secret: Slack-style URLs carry their token)
   * @param alertMinHealthyAccounts ALERT_MIN_HEALTHY_ACCOUNTS: alert when fewer accounts are healthy; 0 = no pool-level alert
   */
  public record Ops(int metricsPort, String alertWebhookUrl, int alertMinHealthyAccounts) {

    /** No metrics port, no alerts. */
    public static Ops defaults() {
      return new Ops(0, "", 0);
    }
  }

  /**
   * One line summarising every setting, safe to log: API keys appear only as a count, the admin
   * key only as set/unset, and credentials inside URLs (proxy user-info, database passwords) are
   * replaced by {@code ***}.
   */
  public String describe() {
    return "host=" + http.host()
        + " port=" + http.port()
        + " httpInstances=" + http.instances()
        + " auth=" + (http.authRequired() ? "required(" + http.apiKeys().size() + " keys)" : "off")
        + " adminKey=" + (http.adminEnabled() ? "set" : "unset")
        + " maxErrorCount=" + pool.maxErrorCount()
        + " httpProxy=" + (upstream.httpProxy() == null || upstream.httpProxy().isEmpty() ? "none" : Redaction.maskUrl(upstream.httpProxy()))
        + " databaseUrl=" + Redaction.maskUrl(pool.databaseUrl())
        + " amazonqEndpoint=" + Redaction.maskUrl(upstream.amazonqEndpoint())
        + " oidcEndpoint=" + Redaction.maskUrl(upstream.oidcEndpoint())
        + " startUrl=" + Redaction.maskUrl(upstream.startUrl())
        + " templatesDir=" + upstream.templatesDir()
        + " upstreamConnectTimeoutMs=" + upstream.connectTimeoutMs()
        + " upstreamIdleTimeoutMs=" + upstream.idleTimeoutMs()
        + " upstreamMaxConnections=" + upstream.maxConnections()
        + " pingIntervalMs=" + http.pingIntervalMs()
        + " tokenCountMultiplier=" + http.tokenCountMultiplier()
        + " maxBodyBytes=" + http.maxBodyBytes()
        + " contextTokenLimit=" + http.contextTokenLimit()
        + " deviceLoginClaimTimeoutSeconds=" + deviceLogin.claimTimeoutSeconds()
        + " deviceLoginRetentionSeconds=" + deviceLogin.retentionSeconds()
        + " refresh=" + pool.refreshIntervalSeconds() + "s/maxAge " + pool.refreshMaxAgeSeconds() + "s/beforeExpiry "
        + pool.refreshBeforeExpirySeconds() + "s"
        + " maxAttempts=" + http.maxAttempts()
        + " accountMaxConcurrency=" + (pool.accountMaxConcurrency() == 0 ? "unlimited" : pool.accountMaxConcurrency())
        + " cooldowns=" + pool.cooldownSeconds() + "s/short " + pool.shortCooldownSeconds() + "s/long "
        + pool.longCooldownSeconds() + "s"
        + " quotaPark=" + (pool.quotaParkSeconds() == 0 ? "next-month" : pool.quotaParkSeconds() + "s")
        + " shutdownGrace=" + http.shutdownGraceSeconds() + "s"
        + " upstreamHeadersTimeoutMs=" + upstream.headersTimeoutMs()
        + " routing=catalogTtl " + routing.modelCatalogTtlSeconds() + "s/usage " + routing.usageRefreshSeconds()
        + "s/fallback " + (routing.modelFallback() ? "on" : "off") + "/sticky " + routing.stickyMaxEntries() + " for "
        + routing.stickyTtlSeconds() + "s"
        + " responses=" + responses.ttlHours() + "h/" + responses.maxBytes() + "B each/" + responses.storeMaxBytes() + "B total"
        + " sessions=idle " + admin.sessionIdleTimeoutSeconds() + "s/max " + admin.sessionMaxLifetimeSeconds() + "s"
        + " trustedProxies=" + (admin.trustedProxies().isEmpty() ? "none" : String.join(",", admin.trustedProxies()))
        + " auditRetention=" + admin.auditRetentionDays() + "d"
        + " secretsKey=" + (pool.secretsKey().isEmpty() ? "unset" : "set")
        + (pool.secretsKeyPrevious().isEmpty() ? "" : " secretsKeyPrevious=set")
        + " metricsPort=" + (ops.metricsPort() == 0 ? "off" : ops.metricsPort())
        + " alertWebhook=" + (ops.alertWebhookUrl().isEmpty() ? "off" : "set") + " alertMinHealthyAccounts=" + ops.alertMinHealthyAccounts();
  }

  /** Same as {@link #describe()}, so an accidentally logged record never leaks keys. */
  @Override
  public String toString() {
    return "AppConfig[" + describe() + "]";
  }
}
