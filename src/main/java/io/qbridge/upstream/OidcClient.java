package io.qbridge.upstream;

import io.qbridge.config.AppConfig;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * AWS SSO-OIDC calls (protocol doc §5): client registration, device authorization and the
 * CreateToken grants. Errors surface as {@link OidcException} carrying the OAuth error code
 * ({@code authorization_pending}, {@code slow_down}, {@code invalid_grant}, ...).
 */
public final class OidcClient {

  public static final String DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
  private static final int TIMEOUT_MS = 60_000;
  /** Error code of a call that never left this process: our OIDC connection pool was full. */
  public static final String LOCAL_CAPACITY = "local_capacity";

  private final HttpClientAgent http;
  private final AppConfig.Upstream config;
  private final UpstreamTemplate template;

  public OidcClient(HttpClientAgent http, AppConfig.Upstream config, UpstreamTemplate template) {
    this.http = http;
    this.config = config;
    this.template = template;
  }

  /** RegisterClient: {@code clientId}, {@code clientSecret}, expiry. */
  public Future<JsonObject> registerClient() {
    return post("/client/register", new JsonObject()
        .put("clientName", template.clientName())
        .put("clientType", template.clientType())
        .put("scopes", template.scopes()));
  }

  /** StartDeviceAuthorization: {@code deviceCode}, {@code userCode}, {@code verificationUriComplete}, ... */
  public Future<JsonObject> startDeviceAuthorization(String clientId, String clientSecret) {
    return post("/device_authorization", new JsonObject()
        .put("clientId", clientId).put("clientSecret", clientSecret).put("startUrl", config.startUrl()));
  }

  /** CreateToken with the device_code grant (one poll). */
  public Future<JsonObject> pollDeviceToken(String clientId, String clientSecret, String deviceCode) {
    return post("/token", new JsonObject()
        .put("clientId", clientId).put("clientSecret", clientSecret)
        .put("deviceCode", deviceCode).put("grantType", DEVICE_CODE_GRANT));
  }

  /** CreateToken with the refresh_token grant: {@code accessToken}, {@code expiresIn}, maybe a new {@code refreshToken}. */
  public Future<JsonObject> refresh(String clientId, String clientSecret, String refreshToken) {
    return post("/token", new JsonObject()
        .put("grantType", "refresh_token").put("clientId", clientId)
        .put("clientSecret", clientSecret).put("refreshToken", refreshToken));
  }

  private Future<JsonObject> post(String path, JsonObject body) {
    MultiMap headers = template.oidcHeaders().set("amz-sdk-invocation-id", UUID.randomUUID().toString());
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(stripSlash(config.oidcEndpoint()) + path)
        .setHeaders(headers)
        .setConnectTimeout(OutboundHttp.acquireTimeoutMs(config))
        .setIdleTimeout(TIMEOUT_MS);
    return http.request(options)
        .compose(req -> req.send(body.toBuffer()))
        .compose(resp -> resp.body().map(buf -> {
          JsonObject json = parse(buf.toString());
          if (resp.statusCode() / 100 == 2 && json != null) return json;
          String error = json == null ? null : json.getString("error");
          if (error == null) error = errorFromType(resp.getHeader("x-amzn-errortype"));
          String description = json == null ? buf.toString() : json.getString("error_description", json.getString("message", ""));
          throw new OidcException(resp.statusCode(), error, description);
        }), t -> Future.failedFuture(t instanceof OidcException ? t
            : new OidcException(0, OutboundHttp.isLocalCapacity(t) ? LOCAL_CAPACITY : "transport_error",
                t.getClass().getSimpleName() + ": " + t.getMessage())));
  }

  /** {@code AuthorizationPendingException} → {@code authorization_pending}, when the body has no error field. */
  static String errorFromType(String type) {
    String simple = UpstreamErrorClassifier.simpleType(type);
    if (simple == null || simple.isEmpty()) return "unknown_error";
    String base = simple.endsWith("Exception") ? simple.substring(0, simple.length() - "Exception".length()) : simple;
    return base.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase();
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static JsonObject parse(String s) {
    try {
      return s == null || s.isBlank() ? null : new JsonObject(s);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
