package io.qbridge.upstream;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Device logins with AWS Builder ID (protocol doc §5): RegisterClient, StartDeviceAuthorization,
 * then CreateToken polling in the background until the user approves, denies, or the device code
 * expires; on approval the account is created through the pool exactly once.
 *
 * <p>State machine of one session (wire names lowercase):
 * <pre>
 * PENDING --authorization_pending--------------------------> PENDING (next poll after interval)
 * PENDING --slow_down--------------------------------------> PENDING (interval += 5 s; q2api aborts here, §11.4)
 * PENDING --transport error / HTTP 429, 5xx, up to 3 in a row-> PENDING (retry after interval + 1 s, 2 s, 4 s)
 * PENDING --4th transient failure in a row-----------------> FAILED  (error = its code, e.g. transport_error)
 * PENDING --expired_token, or the device code's deadline---> EXPIRED (error = expired_token)
 * PENDING --access_denied----------------------------------> FAILED  (error = access_denied)
 * PENDING --any other OAuth error--------------------------> FAILED  (error = that code)
 * PENDING --tokens--> (create account) --ok---------------> COMPLETED (accountId)
 *                                      --fails------------> FAILED  (error = account_create_failed)
 * COMPLETED | FAILED | EXPIRED --retention elapsed---------> removed (unknown authId, 404)
 * </pre>
 * Only one poll of a session is in flight at a time and the next one is scheduled from its answer,
 * so the tokens are seen once and the account is created once, however many claims wait.
 *
 * <p>Threading: not thread-safe; every method must run on the owning verticle's event loop (the
 * OIDC client's callbacks and the timers run there too). Sessions live in memory in this single
 * instance; with several gateway instances a shared store will be needed.
 */
final class DeviceLogins {

  private static final Logger log = LoggerFactory.getLogger(DeviceLogins.class);

  static final List<String> START_FIELDS = List.of("label", "enabled");
  /** q2api's defaults when StartDeviceAuthorization omits them. */
  static final long DEFAULT_EXPIRES_IN_SECONDS = 600;
  static final long DEFAULT_INTERVAL_SECONDS = 1;
  /** A device code living longer than this is cut short, so sessions stay bounded. */
  static final long MAX_EXPIRES_IN_SECONDS = 3600;
  static final long DEFAULT_TOKEN_EXPIRES_IN_SECONDS = 3600;

  enum Status {
    PENDING, COMPLETED, FAILED, EXPIRED;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Timing and limits. Production values come from {@link #from(AppConfig)}; tests shrink them.
   *
   * @param minIntervalMs       floor of the polling interval (RFC 8628: 5 s default; AWS says 1 s)
   * @param slowDownStepMs      added to the interval on each {@code slow_down} (RFC 8628: 5 s)
   * @param maxTransientRetries transport errors / 5xx tolerated in a row before the login fails
   * @param backoffBaseMs       extra delay of the first transient retry, doubled for each further one
   * @param claimTimeoutMs      longest wait of one claim
   * @param retentionMs         how long a finished session stays readable
   * @param sweepIntervalMs     period of the sweep that drops finished sessions
   * @param maxPending          sessions allowed to poll at the same time
   */
  record Settings(long minIntervalMs, long slowDownStepMs, int maxTransientRetries, long backoffBaseMs,
                  long claimTimeoutMs, long retentionMs, long sweepIntervalMs, int maxPending) {
    static Settings from(AppConfig.DeviceLogin config) {
      return new Settings(1_000, 5_000, 3, 1_000, config.claimTimeoutSeconds() * 1000L,
          config.retentionSeconds() * 1000L, 10_000, 20);
    }
  }

  private static final class Session {
    final String authId;
    final String label;
    final boolean enabled;
    final long expiresAtMs;
    final Promise<Void> settled = Promise.promise();
    // OIDC secrets, dropped once the session is settled
    String clientId;
    String clientSecret;
    String deviceCode;
    long intervalMs;
    int transientFailures;
    long pollTimer = -1;
    Status status = Status.PENDING;
    String error;
    JsonObject account;
    long settledAtMs;

    Session(String authId, String label, boolean enabled, long expiresAtMs) {
      this.authId = authId;
      this.label = label;
      this.enabled = enabled;
      this.expiresAtMs = expiresAtMs;
    }
  }

  private final Timekeeper time;
  private final OidcClient oidc;
  private final Function<JsonObject, Future<JsonObject>> createAccount;
  private final Settings settings;
  private final Map<String, Session> sessions = new HashMap<>();
  private final long sweepTimer;
  private boolean closed;

  /**
   * @param createAccount creates an account from an {@code accounts.create} body, returns its admin JSON
   */
  DeviceLogins(Timekeeper time, OidcClient oidc, Function<JsonObject, Future<JsonObject>> createAccount, Settings settings) {
    this.time = time;
    this.oidc = oidc;
    this.createAccount = createAccount;
    this.settings = settings;
    this.sweepTimer = time.setPeriodic(settings.sweepIntervalMs(), id -> sweep());
  }

  /**
   * Registers a client, starts the device authorization and begins polling. Request
   * {@code {label?, enabled?}}; reply {@code {authId, verificationUri, verificationUriComplete,
   * userCode, expiresIn, interval}}.
   */
  Future<JsonObject> start(JsonObject request) {
    String label;
    boolean enabled;
    try {
      label = optionalLabel(request);
      enabled = optionalEnabled(request);
    } catch (BusError f) {
      return Future.failedFuture(f);
    }
    long polling = sessions.values().stream().filter(s -> s.status == Status.PENDING).count();
    if (polling >= settings.maxPending()) {
      return Future.failedFuture(new BusError(BusFailure.CONFLICT,
          "Too many device logins in progress (" + polling + "); finish or let some expire first"));
    }
    return oidc.registerClient()
        .compose(client -> oidc.startDeviceAuthorization(client.getString("clientId"), client.getString("clientSecret"))
            .map(device -> open(label, enabled, client, device)))
        .recover(err -> Future.failedFuture(err instanceof BusError ? err : startFailure(err)));
  }

  /** {@code {status, remaining, error?, accountId?}}; fails NOT_FOUND for an unknown or removed session. */
  JsonObject status(String authId) {
    return view(find(authId), false);
  }

  /**
   * Waits until the session settles, at most the claim timeout, and replies its status view plus
   * {@code account} (admin JSON) when completed. A timeout replies the still-pending view: the
   * session keeps polling and can be claimed again.
   */
  Future<JsonObject> claim(String authId) {
    Session s = find(authId);
    if (s.status != Status.PENDING) return Future.succeededFuture(view(s, true));
    Promise<JsonObject> reply = Promise.promise();
    long timer = time.setTimer(settings.claimTimeoutMs(), id -> reply.tryComplete(view(s, true)));
    s.settled.future().onComplete(ar -> {
      time.cancel(timer);
      if (ar.succeeded()) reply.tryComplete(view(s, true));
      else reply.tryFail(ar.cause());
    });
    return reply.future();
  }

  /** Stops every poll and the sweep; waiting claims fail. */
  void close() {
    closed = true;
    time.cancel(sweepTimer);
    for (Session s : sessions.values()) {
      if (s.pollTimer >= 0) time.cancel(s.pollTimer);
      s.settled.tryFail(new BusError(BusFailure.INTERNAL, "The gateway is shutting down"));
    }
    sessions.clear();
  }

  /** Sessions held in memory (for tests). */
  int size() {
    return sessions.size();
  }

  /** Drops finished sessions whose retention has elapsed. */
  void sweep() {
    long now = now();
    sessions.values().removeIf(s -> gone(s, now));
  }

  // ---- start ----

  private JsonObject open(String label, boolean enabled, JsonObject client, JsonObject device) {
    String deviceCode = device.getString("deviceCode");
    if (client.getString("clientId") == null || client.getString("clientSecret") == null || deviceCode == null) {
      throw new BusError(BusFailure.OIDC_FAILED, "Device login could not start: incomplete answer from AWS SSO-OIDC");
    }
    long expiresIn = Math.min(positive(device.getValue("expiresIn"), DEFAULT_EXPIRES_IN_SECONDS), MAX_EXPIRES_IN_SECONDS);
    // q2api: interval defaults to 1 when absent, then max(1, interval); our floor is minIntervalMs
    long interval = device.getValue("interval") instanceof Number n ? n.longValue() : DEFAULT_INTERVAL_SECONDS;
    long intervalMs = Math.max(settings.minIntervalMs(), interval * 1000);
    Session s = new Session(UUID.randomUUID().toString(), label, enabled, now() + expiresIn * 1000);
    s.clientId = client.getString("clientId");
    s.clientSecret = client.getString("clientSecret");
    s.deviceCode = deviceCode;
    s.intervalMs = intervalMs;
    if (closed) throw new BusError(BusFailure.INTERNAL, "The gateway is shutting down");
    sessions.put(s.authId, s);
    schedulePoll(s, intervalMs);
    log.info("device login {} started; device code valid {} s, polling every {} ms", s.authId, expiresIn, intervalMs);
    return new JsonObject()
        .put("authId", s.authId)
        .put("verificationUriComplete", device.getString("verificationUriComplete"))
        .put("verificationUri", device.getString("verificationUri"))
        .put("userCode", device.getString("userCode"))
        .put("expiresIn", expiresIn)
        .put("interval", (intervalMs + 999) / 1000);
  }

  private static BusError startFailure(Throwable err) {
    String code = err instanceof OidcException o ? o.error() : "internal_error";
    log.warn("device login could not start: {}", err.getMessage());
    return new BusError(BusFailure.OIDC_FAILED, "Device login could not start: AWS SSO-OIDC answered " + code);
  }

  // ---- polling ----

  /** Polls after {@code delayMs}, or settles as expired at the deadline if that comes first. */
  private void schedulePoll(Session s, long delayMs) {
    long left = s.expiresAtMs - now();
    if (left <= delayMs) {
      s.pollTimer = time.setTimer(Math.max(1, left), id -> settle(s, Status.EXPIRED, "expired_token", null));
    } else {
      s.pollTimer = time.setTimer(delayMs, id -> poll(s));
    }
  }

  private void poll(Session s) {
    s.pollTimer = -1;
    oidc.pollDeviceToken(s.clientId, s.clientSecret, s.deviceCode).onComplete(ar -> {
      if (closed || s.status != Status.PENDING) return;
      if (ar.succeeded()) onTokens(s, ar.result());
      else onPollError(s, ar.cause());
    });
  }

  private void onPollError(Session s, Throwable err) {
    String code = err instanceof OidcException o ? o.error() : "internal_error";
    int httpStatus = err instanceof OidcException o ? o.status() : 0;
    switch (code) {
      case "authorization_pending" -> {
        s.transientFailures = 0;
        schedulePoll(s, s.intervalMs);
      }
      case "slow_down" -> {
        s.transientFailures = 0;
        s.intervalMs += settings.slowDownStepMs();
        log.info("device login {}: slow_down, polling every {} ms now", s.authId, s.intervalMs);
        schedulePoll(s, s.intervalMs);
      }
      case "expired_token" -> settle(s, Status.EXPIRED, code, null);
      case "access_denied" -> settle(s, Status.FAILED, code, null);
      default -> {
        boolean transientError = httpStatus == 0 || httpStatus == 429 || httpStatus >= 500;
        if (transientError && ++s.transientFailures <= settings.maxTransientRetries()) {
          long backoff = settings.backoffBaseMs() << (s.transientFailures - 1);
          log.warn("device login {}: poll failed ({}), retry {} in {} ms", s.authId, err.getMessage(),
              s.transientFailures, s.intervalMs + backoff);
          schedulePoll(s, s.intervalMs + backoff);
        } else {
          log.warn("device login {} failed: {}", s.authId, err.getMessage());
          settle(s, Status.FAILED, code, null);
        }
      }
    }
  }

  private void onTokens(Session s, JsonObject token) {
    String accessToken = token.getString("accessToken");
    String refreshToken = token.getString("refreshToken");
    if (accessToken == null || refreshToken == null) {
      settle(s, Status.FAILED, "invalid_token_response", null);
      return;
    }
    long expiresIn = positive(token.getValue("expiresIn"), DEFAULT_TOKEN_EXPIRES_IN_SECONDS);
    JsonObject account = new JsonObject()
        .put("label", s.label)
        .put("clientId", s.clientId)
        .put("clientSecret", s.clientSecret)
        .put("refreshToken", refreshToken)
        .put("accessToken", accessToken)
        .put("enabled", s.enabled)
        .put("expires_at", time.now().plusSeconds(expiresIn).toString())
        .put("last_refresh_status", "success")
        .put("other", new JsonObject().put("source", "device_login"));
    createAccount.apply(account).onComplete(ar -> {
      if (closed) return;
      if (ar.succeeded()) {
        settle(s, Status.COMPLETED, null, ar.result());
      } else {
        log.error("device login {}: approved, but the account could not be stored: {}", s.authId, ar.cause().getMessage());
        settle(s, Status.FAILED, "account_create_failed", null);
      }
    });
  }

  private void settle(Session s, Status status, String error, JsonObject account) {
    if (s.status != Status.PENDING) return;
    if (s.pollTimer >= 0) time.cancel(s.pollTimer);
    s.pollTimer = -1;
    s.status = status;
    s.error = error;
    s.account = account;
    s.settledAtMs = now();
    s.clientId = null;
    s.clientSecret = null;
    s.deviceCode = null;
    if (status == Status.COMPLETED) {
      log.info("device login {} completed: account {}", s.authId, account.getString("id"));
    } else {
      log.info("device login {} ended {} ({})", s.authId, status.wire(), error);
    }
    s.settled.tryComplete();
  }

  // ---- views and lookup ----

  private Session find(String authId) {
    Session s = authId == null ? null : sessions.get(authId);
    if (s == null || gone(s, now())) {
      if (s != null) sessions.remove(authId);
      throw new BusError(BusFailure.NOT_FOUND, "Unknown or expired device login");
    }
    return s;
  }

  private boolean gone(Session s, long now) {
    return s.status != Status.PENDING && now - s.settledAtMs >= settings.retentionMs();
  }

  private JsonObject view(Session s, boolean withAccount) {
    long remainingMs = s.status == Status.PENDING ? Math.max(0, s.expiresAtMs - now()) : 0;
    JsonObject json = new JsonObject().put("status", s.status.wire()).put("remaining", (remainingMs + 999) / 1000);
    if (s.error != null) json.put("error", s.error);
    if (s.account != null) {
      json.put("accountId", s.account.getString("id"));
      if (withAccount) json.put("account", s.account.copy());
    }
    return json;
  }

  // ---- request parsing ----

  private static String optionalLabel(JsonObject request) {
    for (String key : request.fieldNames()) {
      if (!START_FIELDS.contains(key)) {
        String shown = key.length() > 64 ? key.substring(0, 64) + "…" : key;
        throw new BusError(BusFailure.BAD_REQUEST, "Unknown field '" + shown + "' (allowed: label, enabled)");
      }
    }
    Object v = request.getValue("label");
    if (v == null || v instanceof String) return (String) v;
    throw new BusError(BusFailure.BAD_REQUEST, "Field 'label' must be a string or null");
  }

  private static boolean optionalEnabled(JsonObject request) {
    Object v = request.getValue("enabled");
    if (v == null) return true;
    if (v instanceof Boolean b) return b;
    throw new BusError(BusFailure.BAD_REQUEST, "Field 'enabled' must be a boolean");
  }

  private static long positive(Object value, long fallback) {
    return value instanceof Number n && n.longValue() > 0 ? n.longValue() : fallback;
  }

  private long now() {
    return time.monotonicMillis();
  }
}
