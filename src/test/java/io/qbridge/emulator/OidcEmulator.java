package io.qbridge.emulator;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;

/**
 * The AWS SSO-OIDC side of the emulator (protocol doc §5): RegisterClient, StartDeviceAuthorization
 * and CreateToken (device_code and refresh_token grants), REST-JSON with camelCase members, errors
 * as {@code {"error":…,"error_description":…}} plus {@code x-amzn-errortype}.
 *
 * <p>All state lives here and is guarded by {@code this}: tests call the public methods from the
 * test thread while the emulator's event loop serves requests.
 *
 * <p>Defaults: access tokens live 3600 s, refresh tokens are not rotated (the refresh response
 * echoes the same refresh token), no refresh delay, device codes live 600 s with interval 1 s and
 * stay pending until {@link #approve(String)} (or {@link #setPendingPollsBeforeApproval(int)}).
 */
public final class OidcEmulator {

  public static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
  public static final String REFRESH_GRANT = "refresh_token";
  public static final String VERIFICATION_URI = "https://device.sso.us-east-1.amazonaws.com/";

  /** Validity of an access token presented to the chat endpoint. */
  enum TokenStatus { VALID, EXPIRED, UNKNOWN }

  private enum DeviceState { PENDING, APPROVED, DENIED, CONSUMED }

  private record Client(String secret) {}

  private record AccessToken(String clientId, long expiresAtMillis) {}

  private record RefreshToken(String clientId) {}

  private static final class Device {
    final String clientId;
    final String deviceCode;
    final String userCode;
    long expiresAtMillis;
    DeviceState state = DeviceState.PENDING;
    int pendingPolls;
    long lastPollMillis;

    Device(String clientId, String deviceCode, String userCode, long expiresAtMillis) {
      this.clientId = clientId;
      this.deviceCode = deviceCode;
      this.userCode = userCode;
      this.expiresAtMillis = expiresAtMillis;
    }
  }

  private record TokenFailure(int status, String error, String description, String errorType) {}

  private final Vertx vertx;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Client> clients = new HashMap<>();
  private final Map<String, AccessToken> accessTokens = new HashMap<>();
  private final Map<String, RefreshToken> refreshTokens = new HashMap<>();
  private final Map<String, String> latestAccessToken = new HashMap<>();
  private final Map<String, String> latestRefreshToken = new HashMap<>();
  private final Map<String, Device> devicesByCode = new HashMap<>();
  private final Map<String, Device> devicesByUserCode = new HashMap<>();
  private final Map<String, Integer> refreshesByToken = new HashMap<>();
  private final Map<String, Integer> refreshesByClient = new HashMap<>();
  private final Deque<TokenFailure> tokenFailures = new ArrayDeque<>();
  private int refreshTotal;
  private String latestUserCode;

  private int accessTokenTtlSeconds = 3600;
  private boolean rotateRefreshTokens;
  private long refreshDelayMs;
  private int pendingPollsBeforeApproval = -1;
  private int slowDownPolls;
  private boolean enforcePollInterval;
  private int deviceIntervalSeconds = 1;
  private int deviceCodeTtlSeconds = 600;

  OidcEmulator(Vertx vertx) {
    this.vertx = vertx;
  }

  // ================================================================== test API: accounts

  /** Registers a client and issues a token pair without any HTTP traffic (not counted as a refresh). */
  public synchronized Credentials newAccount() {
    String clientId = registerClient();
    String secret = clients.get(clientId).secret();
    String refresh = issueRefreshToken(clientId);
    String access = issueAccessToken(clientId);
    return new Credentials(clientId, secret, refresh, access);
  }

  /** From now on the chat endpoint answers 403 "bearer token … invalid" for {@code accessToken}. */
  public synchronized void expireAccessToken(String accessToken) {
    AccessToken t = accessTokens.get(accessToken);
    if (t != null) {
      accessTokens.put(accessToken, new AccessToken(t.clientId(), 0));
    }
  }

  /** From now on a refresh with {@code refreshToken} answers 400 invalid_grant. */
  public synchronized void revokeRefreshToken(String refreshToken) {
    refreshTokens.remove(refreshToken);
  }

  /** Lifetime of access tokens issued from now on, also returned as {@code expiresIn}. 0 = already expired. */
  public synchronized void setAccessTokenTtlSeconds(int seconds) {
    this.accessTokenTtlSeconds = seconds;
  }

  /** On: every refresh returns a new refresh token and revokes the one used. Off (default): the same one is echoed. */
  public synchronized void setRotateRefreshTokens(boolean rotate) {
    this.rotateRefreshTokens = rotate;
  }

  /** Every refresh_token grant waits {@code ms} before it is processed (for single-flight tests). */
  public synchronized void setRefreshDelayMs(long ms) {
    this.refreshDelayMs = ms;
  }

  /** Number of refresh_token grant requests received (successful or not). */
  public synchronized int refreshCount() {
    return refreshTotal;
  }

  /** Number of refresh_token grant requests that presented {@code refreshToken}. */
  public synchronized int refreshCount(String refreshToken) {
    return refreshesByToken.getOrDefault(refreshToken, 0);
  }

  /** Number of refresh_token grant requests made by {@code clientId}. */
  public synchronized int refreshCountForClient(String clientId) {
    return refreshesByClient.getOrDefault(clientId, 0);
  }

  /** The access token most recently issued to {@code clientId}, or {@code null}. */
  public synchronized String latestAccessToken(String clientId) {
    return latestAccessToken.get(clientId);
  }

  /** The refresh token most recently issued to {@code clientId}, or {@code null}. */
  public synchronized String latestRefreshToken(String clientId) {
    return latestRefreshToken.get(clientId);
  }

  /** Whether the chat endpoint would accept {@code accessToken}. */
  public synchronized boolean isAccessTokenValid(String accessToken) {
    return tokenStatus(accessToken) == TokenStatus.VALID;
  }

  /**
   * The next /token request (any grant) fails with this status and
   * {@code {"error":error,"error_description":description}}; call repeatedly to queue several.
   */
  public synchronized void enqueueTokenFailure(int status, String error, String description, String errorType) {
    tokenFailures.add(new TokenFailure(status, error, description, errorType));
  }

  // ================================================================== test API: device flow

  /** Lets the user approve the device authorization with this user code. */
  public synchronized void approve(String userCode) {
    device(userCode).state = DeviceState.APPROVED;
  }

  /** The user denies: the next poll answers 400 access_denied. */
  public synchronized void deny(String userCode) {
    device(userCode).state = DeviceState.DENIED;
  }

  /** The device code expires now: the next poll answers 400 expired_token. */
  public synchronized void expireDeviceCode(String userCode) {
    device(userCode).expiresAtMillis = 0;
  }

  /** User code of the last StartDeviceAuthorization, or {@code null}. */
  public synchronized String latestUserCode() {
    return latestUserCode;
  }

  /** {@code n >= 0}: each device code is approved automatically after {@code n} authorization_pending answers; {@code -1} (default): only by {@link #approve}. */
  public synchronized void setPendingPollsBeforeApproval(int n) {
    this.pendingPollsBeforeApproval = n;
  }

  /** The next {@code n} device_code polls answer 400 slow_down (SlowDownException). */
  public synchronized void setSlowDownPolls(int n) {
    this.slowDownPolls = n;
  }

  /** On: a device_code poll sooner than {@code interval} seconds after the previous one answers slow_down. */
  public synchronized void setEnforcePollInterval(boolean enforce) {
    this.enforcePollInterval = enforce;
  }

  /** {@code interval} returned by StartDeviceAuthorization (default 1). */
  public synchronized void setDeviceIntervalSeconds(int seconds) {
    this.deviceIntervalSeconds = seconds;
  }

  /** {@code expiresIn} of new device codes (default 600); afterwards polls answer expired_token. */
  public synchronized void setDeviceCodeTtlSeconds(int seconds) {
    this.deviceCodeTtlSeconds = seconds;
  }

  // ================================================================== chat-side queries

  synchronized TokenStatus tokenStatus(String accessToken) {
    AccessToken t = accessToken == null ? null : accessTokens.get(accessToken);
    if (t == null) {
      return TokenStatus.UNKNOWN;
    }
    return System.currentTimeMillis() < t.expiresAtMillis() ? TokenStatus.VALID : TokenStatus.EXPIRED;
  }

  /** The client id the access token was issued to, or {@code null}. */
  public synchronized String clientIdOf(String accessToken) {
    AccessToken t = accessToken == null ? null : accessTokens.get(accessToken);
    return t == null ? null : t.clientId();
  }

  // ================================================================== HTTP handlers

  /** POST /oidc/client/register {clientName, clientType, scopes}. */
  synchronized void register(JsonObject body, HttpServerResponse response) {
    if (body == null || body.getValue("clientName") == null || body.getValue("clientType") == null) {
      AwsResponses.oidcError(response, 400, "invalid_request", "clientName and clientType are required",
          "InvalidRequestException");
      return;
    }
    String clientId = registerClient();
    long now = System.currentTimeMillis() / 1000;
    AwsResponses.oidcOk(response, new JsonObject()
        .put("clientId", clientId)
        .put("clientSecret", clients.get(clientId).secret())
        .put("clientIdIssuedAt", now)
        .put("clientSecretExpiresAt", now + 90L * 24 * 3600));
  }

  /** POST /oidc/device_authorization {clientId, clientSecret, startUrl}. */
  synchronized void deviceAuthorization(JsonObject body, HttpServerResponse response) {
    if (body == null || body.getValue("startUrl") == null) {
      AwsResponses.oidcError(response, 400, "invalid_request", "startUrl is required", "InvalidRequestException");
      return;
    }
    if (!clientOk(body)) {
      invalidClient(response);
      return;
    }
    String userCode = userCode();
    Device d = new Device(body.getString("clientId"), token("dc"), userCode,
        System.currentTimeMillis() + deviceCodeTtlSeconds * 1000L);
    devicesByCode.put(d.deviceCode, d);
    devicesByUserCode.put(userCode, d);
    latestUserCode = userCode;
    AwsResponses.oidcOk(response, new JsonObject()
        .put("deviceCode", d.deviceCode)
        .put("userCode", userCode)
        .put("verificationUri", VERIFICATION_URI)
        .put("verificationUriComplete", VERIFICATION_URI + "?user_code=" + userCode)
        .put("expiresIn", deviceCodeTtlSeconds)
        .put("interval", deviceIntervalSeconds));
  }

  /** POST /oidc/token, both grants. Runs on the emulator's event loop. */
  void token(JsonObject body, HttpServerResponse response) {
    if (body == null) {
      AwsResponses.oidcError(response, 400, "invalid_request", "Request body is not valid JSON", "InvalidRequestException");
      return;
    }
    String grant = body.getString("grantType");
    long delay;
    TokenFailure failure;
    synchronized (this) {
      if (REFRESH_GRANT.equals(grant)) {
        countRefresh(body);
      }
      failure = tokenFailures.poll();
      delay = REFRESH_GRANT.equals(grant) ? refreshDelayMs : 0;
    }
    if (failure != null) {
      AwsResponses.oidcError(response, failure.status(), failure.error(), failure.description(), failure.errorType());
    } else if (delay > 0) {
      vertx.setTimer(delay, id -> processToken(grant, body, response));
    } else {
      processToken(grant, body, response);
    }
  }

  private synchronized void processToken(String grant, JsonObject body, HttpServerResponse response) {
    if (!DEVICE_GRANT.equals(grant) && !REFRESH_GRANT.equals(grant)) {
      AwsResponses.oidcError(response, 400, "unsupported_grant_type", "Unsupported grant type: " + grant,
          "UnsupportedGrantTypeException");
    } else if (!clientOk(body)) {
      invalidClient(response);
    } else if (DEVICE_GRANT.equals(grant)) {
      deviceGrant(body, response);
    } else {
      refreshGrant(body, response);
    }
  }

  private void deviceGrant(JsonObject body, HttpServerResponse response) {
    Device d = devicesByCode.get(String.valueOf(body.getValue("deviceCode")));
    long now = System.currentTimeMillis();
    if (d == null || d.state == DeviceState.CONSUMED || !d.clientId.equals(body.getString("clientId"))) {
      AwsResponses.oidcError(response, 400, "invalid_grant", "Invalid device code provided", "InvalidGrantException");
      return;
    }
    long previousPoll = d.lastPollMillis;
    d.lastPollMillis = now;
    if (now >= d.expiresAtMillis) {
      AwsResponses.oidcError(response, 400, "expired_token", "Device code has expired", "ExpiredTokenException");
    } else if (d.state == DeviceState.DENIED) {
      AwsResponses.oidcError(response, 400, "access_denied", "Authorization was denied by the user",
          "AccessDeniedException");
    } else if (slowDownPolls > 0
        || (enforcePollInterval && previousPoll > 0 && now - previousPoll < deviceIntervalSeconds * 1000L)) {
      slowDownPolls = Math.max(0, slowDownPolls - 1);
      AwsResponses.oidcError(response, 400, "slow_down", "Client is polling too frequently", "SlowDownException");
    } else if (d.state == DeviceState.PENDING
        && (pendingPollsBeforeApproval < 0 || d.pendingPolls < pendingPollsBeforeApproval)) {
      d.pendingPolls++;
      AwsResponses.oidcError(response, 400, "authorization_pending", "Authorization is still pending",
          "AuthorizationPendingException");
    } else {
      d.state = DeviceState.CONSUMED;
      String refresh = issueRefreshToken(d.clientId);
      AwsResponses.oidcOk(response, tokenResponse(issueAccessToken(d.clientId), refresh));
    }
  }

  private void refreshGrant(JsonObject body, HttpServerResponse response) {
    String presented = String.valueOf(body.getValue("refreshToken"));
    RefreshToken rt = refreshTokens.get(presented);
    if (rt == null || !rt.clientId().equals(body.getString("clientId"))) {
      AwsResponses.oidcError(response, 400, "invalid_grant", "Invalid refresh token provided", "InvalidGrantException");
      return;
    }
    String refresh = presented;
    if (rotateRefreshTokens) {
      refreshTokens.remove(presented);
      refresh = issueRefreshToken(rt.clientId());
    }
    AwsResponses.oidcOk(response, tokenResponse(issueAccessToken(rt.clientId()), refresh));
  }

  // ================================================================== helpers (callers hold the lock)

  private JsonObject tokenResponse(String access, String refresh) {
    return new JsonObject()
        .put("accessToken", access)
        .put("tokenType", "Bearer")
        .put("expiresIn", accessTokenTtlSeconds)
        .put("refreshToken", refresh);
  }

  private void countRefresh(JsonObject body) {
    refreshTotal++;
    refreshesByToken.merge(String.valueOf(body.getValue("refreshToken")), 1, Integer::sum);
    refreshesByClient.merge(String.valueOf(body.getValue("clientId")), 1, Integer::sum);
  }

  private boolean clientOk(JsonObject body) {
    Client c = clients.get(String.valueOf(body.getValue("clientId")));
    return c != null && c.secret().equals(body.getValue("clientSecret"));
  }

  private static void invalidClient(HttpServerResponse response) {
    AwsResponses.oidcError(response, 401, "invalid_client", "Invalid client provided", "InvalidClientException");
  }

  private Device device(String userCode) {
    Device d = devicesByUserCode.get(userCode);
    if (d == null) {
      throw new IllegalArgumentException("unknown user code " + userCode);
    }
    return d;
  }

  private String registerClient() {
    String clientId = token("cid");
    clients.put(clientId, new Client(token("cs")));
    return clientId;
  }

  private String issueAccessToken(String clientId) {
    String t = token("aoa");
    accessTokens.put(t, new AccessToken(clientId, System.currentTimeMillis() + accessTokenTtlSeconds * 1000L));
    latestAccessToken.put(clientId, t);
    return t;
  }

  private String issueRefreshToken(String clientId) {
    String t = token("aor");
    refreshTokens.put(t, new RefreshToken(clientId));
    latestRefreshToken.put(clientId, t);
    return t;
  }

  private String token(String prefix) {
    byte[] b = new byte[24];
    random.nextBytes(b);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private String userCode() {
    String letters = "BCDFGHJKLMNPQRSTVWXZ";
    StringBuilder sb = new StringBuilder(9);
    for (int i = 0; i < 8; i++) {
      if (i == 4) {
        sb.append('-');
      }
      sb.append(letters.charAt(random.nextInt(letters.length())));
    }
    return devicesByUserCode.containsKey(sb.toString()) ? userCode() : sb.toString();
  }
}
