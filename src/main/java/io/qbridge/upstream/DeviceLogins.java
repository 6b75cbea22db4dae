package io.qbridge.upstream;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.qbridge.config.AppConfig;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
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
 * <p><b>Several instances:</b> sessions live in the shared database ({@link DeviceLoginStore}), so
 * {@code status} and {@code claim} work on any instance. The instance that started a login polls
 * it (its <i>poller</i>) and keeps it in memory too, so claims there are answered the moment it
 * settles; a claim elsewhere reads the row every {@code claimPollMs}. Every sweep renews this
 * instance's poll leases ({@link #POLL_LEASE_MS}) and adopts the pending sessions of instances
 * that died, so a login survives the instance that started it.
 *
 * <p>Threading: not thread-safe; every method must run on the owning verticle's event loop (the
 * OIDC client's callbacks and the timers run there too).
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
  /**
   * How long a poller's claim on its sessions lasts without renewal (renewed every sweep): a dead
   * instance's logins are adopted by another within this time plus one sweep.
   */
  static final long POLL_LEASE_MS = 30_000;

  enum Status {
    PENDING, COMPLETED, FAILED, EXPIRED;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Status fromWire(String wire) {
      return valueOf(wire.toUpperCase(Locale.ROOT));
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
   * @param sweepIntervalMs     period of the sweep that drops finished sessions, renews this
   *                            instance's poll leases and adopts orphaned sessions
   * @param maxPending          sessions allowed to poll at the same time (over all instances)
   * @param claimPollMs         how often a claim on an instance that does not poll the session reads it
   */
  record Settings(long minIntervalMs, long slowDownStepMs, int maxTransientRetries, long backoffBaseMs,
                  long claimTimeoutMs, long retentionMs, long sweepIntervalMs, int maxPending, long claimPollMs) {
    static Settings from(AppConfig.DeviceLogin config) {
      return new Settings(1_000, 5_000, 3, 1_000, config.claimTimeoutSeconds() * 1000L,
          config.retentionSeconds() * 1000L, 10_000, 20, 1_000);
    }
  }

  /** A session this instance polls: the shared row's state plus what only the poller needs. */
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
    /** The end is in the store (else the sweep writes it again). */
    boolean recorded;

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
  private final DeviceLoginStore store;
  private final String owner;
  /** The sessions this instance polls. */
  private final Map<String, Session> sessions = new HashMap<>();
  private final long sweepTimer;
  private boolean sweeping;
  private boolean closed;

  /**
   * @param createAccount creates an account from an {@code accounts.create} body, returns its admin JSON
   * @param store         the sessions of every instance
   * @param owner         this instance's id as a poller in {@code store}
   */
  DeviceLogins(Timekeeper time, OidcClient oidc, Function<JsonObject, Future<JsonObject>> createAccount, Settings settings,
      DeviceLoginStore store, String owner) {
    this.time = time;
    this.oidc = oidc;
    this.createAccount = createAccount;
    this.settings = settings;
    this.store = store;
    this.owner = owner;
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
    return store.countPending(now())
        .recover(err -> Future.failedFuture(storeFailure("start", err)))
        .compose(polling -> polling >= settings.maxPending()
            ? Future.failedFuture(new BusError(BusFailure.CONFLICT,
                "Too many device logins in progress (" + polling + "); finish or let some expire first"))
            : oidc.registerClient()
                .compose(client -> oidc.startDeviceAuthorization(client.getString("clientId"), client.getString("clientSecret"))
                    .compose(device -> open(label, enabled, client, device)))
                .recover(err -> Future.failedFuture(err instanceof BusError ? err : startFailure(err))));
  }

  /** {@code {status, remaining, error?, accountId?}}; fails NOT_FOUND for an unknown or removed session. */
  Future<JsonObject> status(String authId) {
    Session local = authId == null ? null : sessions.get(authId);
    if (local != null && !gone(local, now())) return Future.succeededFuture(view(local, false));
    return findRow(authId).map(row -> view(row, false));
  }

  /**
   * Waits until the session settles, at most the claim timeout, and replies its status view plus
   * {@code account} (admin JSON) when completed. A timeout replies the still-pending view: the
   * session keeps polling and can be claimed again.
   */
  Future<JsonObject> claim(String authId) {
    Session local = authId == null ? null : sessions.get(authId);
    if (local != null && !gone(local, now())) return claimLocal(local);
    long deadline = now() + settings.claimTimeoutMs();
    return findRow(authId).compose(row -> awaitRow(row, deadline));
  }

  /** The session is polled here: answered the moment it settles. */
  private Future<JsonObject> claimLocal(Session s) {
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

  /** Polled by another instance: its row is read every {@code claimPollMs} until it settles or the deadline. */
  private Future<JsonObject> awaitRow(DeviceLoginStore.Row row, long deadline) {
    if (effectiveStatus(row, now()) != Status.PENDING || now() >= deadline) return Future.succeededFuture(view(row, true));
    Promise<Void> tick = Promise.promise();
    time.setTimer(Math.min(settings.claimPollMs(), Math.max(1, deadline - now())), id -> tick.complete());
    return tick.future().compose(v -> {
      if (closed) return Future.failedFuture(shuttingDown());
      Session local = sessions.get(row.authId()); // adopted by this instance meanwhile
      return local != null ? claimLocal(local) : findRow(row.authId()).compose(next -> awaitRow(next, deadline));
    });
  }

  /** Stops every poll and the sweep; waiting claims fail; this instance's sessions are left for others to adopt. */
  Future<Void> close() {
    closed = true;
    time.cancel(sweepTimer);
    for (Session s : sessions.values()) {
      if (s.pollTimer >= 0) time.cancel(s.pollTimer);
      s.settled.tryFail(shuttingDown());
    }
    sessions.clear();
    return store.abandon(owner).recover(err -> {
      log.warn("device logins: could not hand this instance's logins over: {}", err.getMessage());
      return Future.succeededFuture();
    });
  }

  /** Sessions this instance polls or keeps (for tests). */
  int size() {
    return sessions.size();
  }

  /**
   * Drops finished sessions whose retention has elapsed (here and in the store), renews this
   * instance's poll leases and adopts the sessions of pollers that died. Runs never overlap.
   */
  void sweep() {
    if (sweeping || closed) return;
    sweeping = true;
    long now = now();
    sessions.values().removeIf(s -> gone(s, now));
    sessions.values().stream().filter(s -> s.status != Status.PENDING && !s.recorded).toList().forEach(this::record);
    store.deleteFinishedBefore(now - settings.retentionMs())
        .compose(v -> store.renew(owner, now + POLL_LEASE_MS))
        .compose(v -> store.adopt(owner, now, now + POLL_LEASE_MS))
        .onSuccess(adopted -> adopted.forEach(this::resume))
        .onFailure(err -> log.warn("device login sweep failed: {}", err.getMessage()))
        .onComplete(ar -> sweeping = false);
  }

  /** Takes over polling an adopted session. */
  private void resume(DeviceLoginStore.Row row) {
    if (closed || sessions.containsKey(row.authId())) return;
    Session s = new Session(row.authId(), row.label(), row.enabled(), row.expiresAtMs());
    s.clientId = row.clientId();
    s.clientSecret = row.clientSecret();
    s.deviceCode = row.deviceCode();
    s.intervalMs = row.intervalMs();
    sessions.put(s.authId, s);
    schedulePoll(s, s.intervalMs);
    log.info("device login {}: its poller stopped answering; polling it here now", s.authId);
  }

  // ---- start ----

  private Future<JsonObject> open(String label, boolean enabled, JsonObject client, JsonObject device) {
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
    if (closed) throw shuttingDown();
    DeviceLoginStore.Row row = new DeviceLoginStore.Row(s.authId, label, enabled, s.clientId, s.clientSecret, deviceCode,
        intervalMs, s.expiresAtMs, Status.PENDING.wire(), null, null, owner, now() + POLL_LEASE_MS, 0);
    return store.insert(row).recover(err -> Future.failedFuture(storeFailure("start", err))).map(v -> {
      if (closed) throw shuttingDown();
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
    });
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

  /**
   * Ends a session: in memory at once (no further poll), in the store conditionally on this
   * instance still polling it; waiting claims are answered once the store has it, so a status read
   * on any instance after a claim's answer agrees with it.
   */
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
    record(s);
  }

  /** Writes a settled session's end to the store (again, after a failure: the sweep retries), then answers its claims. */
  private void record(Session s) {
    store.settle(s.authId, owner, s.status.wire(), s.error, s.account, s.settledAtMs).onComplete(ar -> {
      if (ar.failed()) {
        log.error("device login {}: could not record its end ({}), retried by the next sweep: {}", s.authId,
            s.status.wire(), ar.cause().getMessage());
      } else {
        s.recorded = true;
        if (!ar.result()) {
          log.warn("device login {}: another instance took it over; its end here ({}) is not recorded", s.authId,
              s.status.wire());
        }
      }
      s.settled.tryComplete();
    });
  }

  // ---- views and lookup ----

  private Future<DeviceLoginStore.Row> findRow(String authId) {
    if (authId == null) return Future.failedFuture(notFound());
    return store.find(authId)
        .recover(err -> Future.failedFuture(storeFailure("lookup", err)))
        .compose(found -> {
          DeviceLoginStore.Row row = found.orElse(null);
          if (row == null || gone(row, now())) return Future.failedFuture(notFound());
          return Future.succeededFuture(row);
        });
  }

  private static BusError notFound() {
    return new BusError(BusFailure.NOT_FOUND, "Unknown or expired device login");
  }

  private static BusError shuttingDown() {
    return new BusError(BusFailure.INTERNAL, "The gateway is shutting down");
  }

  private static BusError storeFailure(String what, Throwable err) {
    log.error("device login {}: the session store failed: {}", what, err.getMessage());
    return new BusError(BusFailure.STORE_UNAVAILABLE, "Device login sessions are unavailable (database unreachable)");
  }

  private boolean gone(Session s, long now) {
    return s.status != Status.PENDING && now - s.settledAtMs >= settings.retentionMs();
  }

  /** A row is gone after its retention: from its end, or from its code's expiry when nobody settled it. */
  private boolean gone(DeviceLoginStore.Row row, long now) {
    long endedAt = Status.fromWire(row.status()) != Status.PENDING ? row.settledAtMs() : row.expiresAtMs();
    return now - endedAt >= settings.retentionMs();
  }

  /** A pending row past its code's expiry is expired, even if its poller died before recording that. */
  private static Status effectiveStatus(DeviceLoginStore.Row row, long now) {
    Status status = Status.fromWire(row.status());
    return status == Status.PENDING && now >= row.expiresAtMs() ? Status.EXPIRED : status;
  }

  private JsonObject view(Session s, boolean withAccount) {
    long remainingMs = s.status == Status.PENDING ? Math.max(0, s.expiresAtMs - now()) : 0;
    return view(s.status, remainingMs, s.error, s.account, withAccount);
  }

  private JsonObject view(DeviceLoginStore.Row row, boolean withAccount) {
    long now = now();
    Status status = effectiveStatus(row, now);
    String error = status == Status.EXPIRED && row.error() == null ? "expired_token" : row.error();
    return view(status, status == Status.PENDING ? Math.max(0, row.expiresAtMs() - now) : 0, error, row.account(),
        withAccount);
  }

  private static JsonObject view(Status status, long remainingMs, String error, JsonObject account, boolean withAccount) {
    JsonObject json = new JsonObject().put("status", status.wire()).put("remaining", (remainingMs + 999) / 1000);
    if (error != null) json.put("error", error);
    if (account != null) {
      json.put("accountId", account.getString("id"));
      if (withAccount) json.put("account", account.copy());
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

  /** Wall-clock epoch ms: the rows are shared with other instances. */
  private long now() {
    return time.now().toEpochMilli();
  }
}
