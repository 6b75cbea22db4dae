package io.qbridge.config;

/**
 * Every setting {@link ConfigLoader} knows, named exactly as the environment variable (and as the
 * top-level key in {@code conf/config.yaml}/{@code .json}), with its built-in default written the
 * way a user would write it. Defaults go through the same parsing and validation as user values,
 * so the table below is the single source of truth for names and defaults.
 *
 * <p>Declaration order follows the {@link AppConfig} components.
 */
enum ConfigKey {
  HOST(Kind.STRING, "0.0.0.0"),
  PORT(Kind.INT, "8000"),
  HTTP_INSTANCES(Kind.INT, defaultInstances()),
  OPENAI_KEYS(Kind.LIST, "", true),
  ADMIN_KEY(Kind.STRING, "", true),
  MAX_ERROR_COUNT(Kind.INT, "100"),
  HTTP_PROXY(Kind.STRING, ""),
  DATABASE_URL(Kind.STRING, "jdbc:sqlite:data.sqlite3"),
  AMAZONQ_ENDPOINT(Kind.STRING, "https://q.us-east-1.amazonaws.com/"),
  AMAZONQ_OIDC_ENDPOINT(Kind.STRING, "https://oidc.us-east-1.amazonaws.com"),
  AMAZONQ_START_URL(Kind.STRING, "https://view.awsapps.com/start"),
  TEMPLATES_DIR(Kind.STRING, "templates"),
  UPSTREAM_CONNECT_TIMEOUT_MS(Kind.INT, "5000"),
  UPSTREAM_IDLE_TIMEOUT_MS(Kind.INT, "300000"),
  UPSTREAM_MAX_CONNECTIONS(Kind.INT, "4096"),
  SSE_PING_INTERVAL_MS(Kind.INT, "15000"),
  TOKEN_COUNT_MULTIPLIER(Kind.DECIMAL, "1.0"),
  MAX_BODY_BYTES(Kind.INT, "33554432"),
  CONTEXT_TOKEN_LIMIT(Kind.INT, "200000"),
  DEVICE_LOGIN_CLAIM_TIMEOUT_SECONDS(Kind.INT, "300"),
  DEVICE_LOGIN_RETENTION_SECONDS(Kind.INT, "600"),
  // account pool: token lifecycle, failover, cooldowns
  REFRESH_INTERVAL_SECONDS(Kind.INT, "300"),
  REFRESH_MAX_AGE_SECONDS(Kind.INT, "1500"),
  REFRESH_BEFORE_EXPIRY_SECONDS(Kind.INT, "300"),
  MAX_ATTEMPTS(Kind.INT, "3"),
  ACCOUNT_MAX_CONCURRENCY(Kind.INT, "0"),
  COOLDOWN_SECONDS(Kind.INT, "60"),
  SHORT_COOLDOWN_SECONDS(Kind.INT, "15"),
  LONG_COOLDOWN_SECONDS(Kind.INT, "1800"),
  QUOTA_PARK_SECONDS(Kind.INT, "0"),
  // shutdown
  SHUTDOWN_GRACE_SECONDS(Kind.INT, "30"),
  // upstream: waiting for the response headers (failover point)
  UPSTREAM_HEADERS_TIMEOUT_MS(Kind.INT, "60000"),
  // Responses API store (previous_response_id)
  RESPONSES_TTL_HOURS(Kind.INT, "24"),
  RESPONSES_MAX_BYTES(Kind.INT, "8388608"),
  RESPONSES_STORE_MAX_BYTES(Kind.INT, "268435456"),
  // routing: model catalogs, quotas, sticky conversations (issue 13)
  MODEL_CATALOG_TTL_SECONDS(Kind.INT, "3600"),
  USAGE_REFRESH_SECONDS(Kind.INT, "600"),
  MODEL_FALLBACK(Kind.STRING, "on"),
  STICKY_MAX_ENTRIES(Kind.INT, "100000"),
  STICKY_TTL_SECONDS(Kind.INT, "3600"),
  // admin console sessions and proxies (issue 11)
  SESSION_IDLE_TIMEOUT_SECONDS(Kind.INT, "28800"),
  SESSION_MAX_LIFETIME_SECONDS(Kind.INT, "86400"),
  TRUSTED_PROXIES(Kind.LIST, ""),
  // operations: metrics and alerts
  METRICS_PORT(Kind.INT, "0"),
  ALERT_WEBHOOK_URL(Kind.STRING, "", true),
  ALERT_MIN_HEALTHY_ACCOUNTS(Kind.INT, "0"),
  // secrets at rest and the audit log (issue 11)
  SECRETS_KEY(Kind.STRING, "", true),
  SECRETS_KEY_PREVIOUS(Kind.STRING, "", true),
  AUDIT_RETENTION_DAYS(Kind.INT, "90");

  /** What a config file may hold for the key; environment and .env values are always strings. */
  enum Kind { STRING, INT, DECIMAL, LIST }

  /** Upper bound of HTTP_INSTANCES; the default (core count) is clamped to it. */
  static final int MAX_HTTP_INSTANCES = 256;

  final Kind kind;
  final String defaultValue;
  /** Secret values are never echoed in error messages or {@link AppConfig#describe()}. */
  final boolean secret;

  ConfigKey(Kind kind, String defaultValue) {
    this(kind, defaultValue, false);
  }

  ConfigKey(Kind kind, String defaultValue, boolean secret) {
    this.kind = kind;
    this.defaultValue = defaultValue;
    this.secret = secret;
  }

  private static String defaultInstances() {
    int cores = Runtime.getRuntime().availableProcessors();
    return Integer.toString(Math.max(1, Math.min(cores, MAX_HTTP_INSTANCES)));
  }
}
