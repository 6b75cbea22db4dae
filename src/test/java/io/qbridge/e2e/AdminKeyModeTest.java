package io.qbridge.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.time.ManualTimekeeper;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADMIN_KEY set: key headers, console sessions (cookie flags, idle and absolute lifetime,
 * sign-out on the server), CSRF, the brute-force lockout, security headers and the admin API's
 * friendlier errors, all through real HTTP.
 */
@ExtendWith(VertxExtension.class)
class AdminKeyModeTest {

  static final String KEY = "admin-key-for-tests-0123456789";

  @TempDir Path dir;
  TestGateway gw;
  final ManualTimekeeper clock = new ManualTimekeeper(Instant.parse("2026-03-01T10:00:00Z"));

  private TestGateway start(Vertx vertx, Map<String, String> extra) {
    Map<String, String> env = new java.util.HashMap<>(extra);
    env.put("ADMIN_KEY", KEY);
    gw = TestGateway.start(vertx, dir, env, clock);
    return gw;
  }

  @AfterEach
  void stop() {
    if (gw != null) gw.close();
  }

  private String origin() {
    return gw.baseUrl();
  }

  private TestGateway.Response signIn(String key, String... headers) {
    String[] all = concat(new String[] {"content-type", "application/json", "origin", origin()}, headers);
    return gw.send(HttpMethod.POST, "/v2/session", new JsonObject().put("adminKey", key).toBuffer(), all);
  }

  /** The session cookie pair ("qbridge_session=…") from a sign-in answer. */
  private static String cookie(TestGateway.Response r) {
    String setCookie = r.headers().get("set-cookie");
    assertThat(setCookie).as("set-cookie").isNotNull();
    return setCookie.split(";")[0];
  }

  private TestGateway.Response get(String path, String... headers) {
    return gw.send(HttpMethod.GET, path, null, headers);
  }

  private static JsonObject account(String label) {
    return new JsonObject().put("label", label).put("clientId", "cid-" + label).put("clientSecret", "cs-SECRET")
        .put("refreshToken", "rt-SECRET");
  }

  private TestGateway.Response create(String... headers) {
    return gw.send(HttpMethod.POST, "/v2/accounts", account("a").toBuffer(),
        concat(new String[] {"content-type", "application/json"}, headers));
  }

  private static void assertAdminError(TestGateway.Response r, int status, String type, String part) {
    assertThat(r.status()).as(r.body().toString()).isEqualTo(status);
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error.getString("type")).isEqualTo(type);
    assertThat(error.getString("message")).contains(part);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void keyHeadersWorkAndEverythingElseIs401(Vertx vertx) {
    start(vertx, Map.of());
    assertAdminError(get("/v2/accounts"), 401, "authentication_error", "sign in to the console");
    assertAdminError(get("/v2/accounts", "authorization", "Bearer wrong"), 401, "authentication_error", "Invalid admin key");
    assertAdminError(get("/v2/accounts", "x-admin-key", KEY + "x"), 401, "authentication_error", "Invalid admin key");
    assertAdminError(get("/v2/auth/status/x", "cookie", "qbridge_session=forged"), 401, "authentication_error",
        "session has ended");
    assertThat(get("/v2/accounts", "authorization", "Bearer " + KEY).status()).isEqualTo(200);
    assertThat(get("/v2/accounts", "x-admin-key", KEY).status()).isEqualTo(200);
    // scripts with the key need no origin evidence (a foreign page cannot attach the key)
    assertThat(create("x-admin-key", KEY).status()).isEqualTo(201);
    assertThat(get("/v2/session").json()).isEqualTo(new JsonObject()
        .put("mode", "key").put("authenticated", false).put("apiKeyRequired", false));
  }

  @Test
  void signInSetsAHardenedCookieAndSignOutEndsTheSessionOnTheServer(Vertx vertx) {
    start(vertx, Map.of());
    assertAdminError(signIn("wrong"), 401, "authentication_error", "Invalid admin key");
    TestGateway.Response r = signIn(KEY);
    assertThat(r.status()).as(r.body().toString()).isEqualTo(200);
    assertThat(r.json().getBoolean("authenticated")).isTrue();
    String setCookie = r.headers().get("set-cookie");
    assertThat(setCookie).startsWith("qbridge_session=").contains("; Path=/").contains("; HTTPOnly")
        .contains("; SameSite=Strict").contains("Max-Age=86400").doesNotContain("Secure").doesNotContain(KEY);
    assertThat(cookie(r).substring("qbridge_session=".length())).matches("[A-Za-z0-9_-]{43}");
    assertThat(r.body().toString()).doesNotContain(KEY);
    String cookie = cookie(r);

    assertThat(get("/v2/accounts", "cookie", cookie).status()).isEqualTo(200);
    assertThat(get("/v2/session", "cookie", cookie).json().getString("via")).isEqualTo("session");

    TestGateway.Response out = gw.send(HttpMethod.DELETE, "/v2/session", null, "cookie", cookie, "origin", origin());
    assertThat(out.status()).isEqualTo(200);
    assertThat(out.headers().get("set-cookie")).contains("Max-Age=0");
    // the old cookie value is dead on the server, not just forgotten by the browser
    assertAdminError(get("/v2/accounts", "cookie", cookie), 401, "authentication_error", "session has ended");
    assertThat(get("/v2/session", "cookie", cookie).json().getBoolean("authenticated")).isFalse();
  }

  @Test
  void secureCookieOverTlsOnlyWhenATrustedProxySaysSo(Vertx vertx) {
    start(vertx, Map.of());
    // an untrusted peer claiming https is ignored
    assertThat(signIn(KEY, "x-forwarded-proto", "https").headers().get("set-cookie")).doesNotContain("Secure");
    gw.close();
    gw = null;
    start(vertx, Map.of("TRUSTED_PROXIES", "127.0.0.1"));
    assertThat(signIn(KEY, "x-forwarded-proto", "https").headers().get("set-cookie")).contains("; Secure");
    assertThat(signIn(KEY, "x-forwarded-proto", "http").headers().get("set-cookie")).doesNotContain("Secure");
  }

  @Test
  void sessionsEndAfterIdleTimeoutAndAbsoluteLifetime(Vertx vertx) {
    start(vertx, Map.of("SESSION_IDLE_TIMEOUT_SECONDS", "3600", "SESSION_MAX_LIFETIME_SECONDS", "7200"));
    String idle = cookie(signIn(KEY));
    String busy = cookie(signIn(KEY));
    clock.advance((Duration.ofMinutes(50)).toMillis());
    assertThat(get("/v2/accounts", "cookie", busy).status()).isEqualTo(200);
    clock.advance((Duration.ofMinutes(11)).toMillis()); // idle: 61 min unused; busy: 11 min
    assertAdminError(get("/v2/accounts", "cookie", idle), 401, "authentication_error", "session has ended");
    assertThat(get("/v2/accounts", "cookie", busy).status()).isEqualTo(200);
    clock.advance((Duration.ofMinutes(50)).toMillis());
    assertThat(get("/v2/accounts", "cookie", busy).status()).isEqualTo(200);
    clock.advance((Duration.ofMinutes(10)).toMillis()); // 121 min since sign-in
    assertAdminError(get("/v2/accounts", "cookie", busy), 401, "authentication_error", "session has ended");
  }

  @Test
  void cookieAuthenticatedChangesMustBeSameOrigin(Vertx vertx) {
    start(vertx, Map.of());
    String cookie = cookie(signIn(KEY));
    assertAdminError(create("cookie", cookie), 403, "permission_error", "Cross-site");
    assertAdminError(create("cookie", cookie, "origin", "http://evil.example"), 403, "permission_error", "Cross-site");
    assertAdminError(create("cookie", cookie, "origin", "null"), 403, "permission_error", "Cross-site");
    assertAdminError(create("cookie", cookie, "sec-fetch-site", "cross-site", "origin", origin()), 403,
        "permission_error", "Cross-site");
    assertAdminError(create("cookie", cookie, "sec-fetch-site", "same-site"), 403, "permission_error", "Cross-site");
    assertThat(create("cookie", cookie, "origin", origin()).status()).isEqualTo(201);
    assertThat(create("cookie", cookie, "sec-fetch-site", "same-origin").status()).isEqualTo(201);
    // reads need no evidence
    assertThat(get("/v2/accounts", "cookie", cookie).status()).isEqualTo(200);
    // sign-in from another site is refused too (login CSRF)
    assertAdminError(gw.send(HttpMethod.POST, "/v2/session", new JsonObject().put("adminKey", KEY).toBuffer(),
        "content-type", "application/json", "origin", "http://evil.example"), 403, "permission_error", "Cross-site");
  }

  @Test
  void tenFailuresLockTheAddressOutForTheRestOfTheMinuteCorrectKeysIncluded(Vertx vertx) {
    start(vertx, Map.of("TRUSTED_PROXIES", "127.0.0.1"));
    for (int i = 0; i < 5; i++) assertThat(get("/v2/accounts", "x-admin-key", "guess" + i).status()).isEqualTo(401);
    clock.advance((Duration.ofSeconds(15)).toMillis());
    for (int i = 0; i < 5; i++) assertThat(signIn("guess" + i).status()).isEqualTo(401);

    TestGateway.Response locked = get("/v2/accounts", "x-admin-key", KEY);
    assertAdminError(locked, 429, "rate_limit_error", "Too many failed admin sign-ins");
    assertThat(Long.parseLong(locked.headers().get("retry-after"))).isEqualTo(45);
    assertThat(signIn(KEY).status()).isEqualTo(429);
    assertThat(get("/v2/accounts", "authorization", "Bearer " + KEY).status()).isEqualTo(429);
    // another client behind the trusted proxy is its own address
    assertThat(get("/v2/accounts", "x-admin-key", KEY, "x-forwarded-for", "203.0.113.7").status()).isEqualTo(200);

    clock.advance((Duration.ofSeconds(44)).toMillis());
    assertThat(get("/v2/accounts", "x-admin-key", KEY).headers().get("retry-after")).isEqualTo("1");
    clock.advance((Duration.ofSeconds(1)).toMillis());
    assertThat(get("/v2/accounts", "x-admin-key", KEY).status()).isEqualTo(200);
    assertThat(signIn(KEY).status()).isEqualTo(200);
  }

  @Test
  void theSessionStatusIsNoGuessingOracle(Vertx vertx) {
    start(vertx, Map.of());
    for (int i = 0; i < 10; i++) {
      assertThat(get("/v2/session", "x-admin-key", "guess" + i).json().getBoolean("authenticated")).isFalse();
    }
    assertThat(get("/v2/session", "x-admin-key", KEY).status()).isEqualTo(429);
  }

  @Test
  void forwardedForFromAnUntrustedPeerDoesNotEscapeTheLockout(Vertx vertx) {
    start(vertx, Map.of());
    for (int i = 0; i < 10; i++) {
      assertThat(get("/v2/accounts", "x-admin-key", "guess", "x-forwarded-for", "198.51.100." + i).status()).isEqualTo(401);
    }
    assertThat(get("/v2/accounts", "x-admin-key", KEY, "x-forwarded-for", "198.51.100.99").status()).isEqualTo(429);
  }

  @Test
  void securityHeadersOnTheConsoleAndTheAdminApi(Vertx vertx) {
    start(vertx, Map.of());
    for (TestGateway.Response r : List.of(get("/", "accept", "text/html"), get("/v2/session"), get("/docs"))) {
      String csp = r.headers().get("content-security-policy");
      assertThat(csp).contains("default-src 'self'").contains("script-src 'self'").contains("frame-ancestors 'none'")
          .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
      assertThat(r.headers().get("x-content-type-options")).isEqualTo("nosniff");
      assertThat(r.headers().get("referrer-policy")).isEqualTo("no-referrer");
    }
    TestGateway.Response page = get("/", "accept", "text/html,application/xhtml+xml");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("content-type")).startsWith("text/html");
    assertThat(page.body().toString()).contains("<html");
    TestGateway.Response script = get("/assets/app.js");
    assertThat(script.status()).isEqualTo(200);
    assertThat(script.headers().get("content-type")).startsWith("text/javascript");
    assertThat(script.headers().get("content-security-policy")).contains("default-src 'self'");
    assertThat(gw.send(HttpMethod.HEAD, "/assets/style.css", null).status()).isEqualTo(200);
    assertThat(get("/assets/../pom.xml").status()).isEqualTo(404);
  }

  @Test
  void probesOfTheRootStillGetTheFastJsonAnswer(Vertx vertx) {
    start(vertx, Map.of());
    for (TestGateway.Response r : List.of(get("/"), get("/", "accept", "*/*"), get("/", "accept", "application/json"),
        gw.send(HttpMethod.HEAD, "/", null, "accept", "text/html"))) {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
    }
    assertThat(get("/").json().getString("name")).isEqualTo("qbridge");
  }

  @Test
  void putOnAnAccountIs405WithAllow(Vertx vertx) {
    start(vertx, Map.of());
    TestGateway.Response r = gw.send(HttpMethod.PUT, "/v2/accounts/some-id", account("x").toBuffer(),
        "x-admin-key", KEY, "content-type", "application/json");
    assertAdminError(r, 405, "invalid_request_error", "PUT is not supported");
    assertThat(r.headers().get("allow")).isEqualTo("GET, PATCH, DELETE");
    TestGateway.Response base = gw.send(HttpMethod.PUT, "/v2/accounts", Buffer.buffer("{}"), "x-admin-key", KEY);
    assertThat(base.status()).isEqualTo(405);
    assertThat(base.headers().get("allow")).isEqualTo("GET, POST");
  }

  @Test
  void badJsonToDeviceLoginSaysWhereNotHowTheParserFailed(Vertx vertx) {
    start(vertx, Map.of());
    TestGateway.Response r = gw.send(HttpMethod.POST, "/v2/auth/start", Buffer.buffer("{\"label\": x}"),
        "x-admin-key", KEY, "content-type", "application/json");
    assertAdminError(r, 400, "invalid_request_error", "Request body is not valid JSON (line 1, column ");
    assertThat(r.body().toString()).doesNotContain("Unexpected character").doesNotContain("decode")
        .doesNotContain("Source").doesNotContain("jackson").doesNotContain("code 120");
  }

  @Test
  void noSecretInAnyAdminAnswer(Vertx vertx) {
    start(vertx, Map.of());
    String cookie = cookie(signIn(KEY));
    TestGateway.Response created = create("cookie", cookie, "origin", origin());
    String id = created.json().getString("id");
    for (TestGateway.Response r : List.of(created, get("/v2/accounts", "cookie", cookie),
        get("/v2/accounts/" + id, "cookie", cookie), get("/v2/session", "cookie", cookie))) {
      assertThat(r.body().toString()).doesNotContain("SECRET").doesNotContain(KEY);
    }
  }
}
