package io.qbridge.e2e;

import io.qbridge.QBridge;
import io.qbridge.config.AppConfig;
import io.qbridge.emulator.AmazonQEmulator;
import io.qbridge.emulator.Credentials;
import io.qbridge.time.Timekeeper;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import io.qbridge.config.ConfigLoader;
import java.util.HashMap;
import java.util.Map;

/**
 * The real qbridge on port 0 in front of the Amazon Q emulator, with a temp-file SQLite store.
 * Tests use it through real HTTP, the same way clients do.
 */
public final class TestGateway {

  public final Vertx vertx;
  public final AmazonQEmulator emulator;
  public final QBridge app;
  public final AppConfig config;
  public final HttpClientAgent http;
  /** False when the emulator is shared with other gateways (several instances): close leaves it running. */
  private final boolean ownsEmulator;

  private TestGateway(Vertx vertx, AmazonQEmulator emulator, QBridge app, AppConfig config, boolean ownsEmulator) {
    this.vertx = vertx;
    this.emulator = emulator;
    this.app = app;
    this.config = config;
    this.http = vertx.createHttpClient();
    this.ownsEmulator = ownsEmulator;
  }

  /**
   * The configuration a test gateway runs with, loaded through the real {@link ConfigLoader} from
   * environment-style settings: upstream URLs point at the emulator, the store is a temp file.
   */
  public static AppConfig config(Vertx vertx, AmazonQEmulator emu, Path dir, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("HOST", "127.0.0.1");
    env.put("PORT", "0");
    env.put("HTTP_INSTANCES", "1");
    env.put("DATABASE_URL", "jdbc:sqlite:" + dir.resolve("test.sqlite3"));
    env.put("AMAZONQ_ENDPOINT", emu.chatEndpoint());
    env.put("AMAZONQ_OIDC_ENDPOINT", emu.oidcEndpoint());
    env.put("UPSTREAM_CONNECT_TIMEOUT_MS", "2000");
    env.put("UPSTREAM_IDLE_TIMEOUT_MS", "10000");
    env.put("TEMPLATES_DIR", Path.of("templates").toAbsolutePath().toString());
    env.putAll(overrides);
    return ConfigLoader.load(vertx, dir, env).await();
  }

  public static TestGateway start(Vertx vertx, Path dir) {
    return start(vertx, dir, Map.of());
  }

  /** Starts emulator + qbridge; {@code env} overrides settings by their environment names. */
  public static TestGateway start(Vertx vertx, Path dir, Map<String, String> env) {
    return start(vertx, dir, env, Timekeeper.system(vertx));
  }

  /** As above, with qbridge's clock and timers (device logins, sweeps, cooldowns) driven by {@code time}. */
  public static TestGateway start(Vertx vertx, Path dir, Map<String, String> env, Timekeeper time) {
    AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
    AppConfig config = config(vertx, emu, dir, env);
    QBridge app = QBridge.deploy(vertx, config, time).await();
    return new TestGateway(vertx, emu, app, config, true);
  }

  /**
   * One more qbridge in front of an emulator that is already running (several instances on one
   * database: give each its own {@code vertx}, its own event bus as a second process would have);
   * closing it leaves the emulator running.
   */
  public static TestGateway startSharing(Vertx vertx, AmazonQEmulator emu, Path dir, Map<String, String> env) {
    AppConfig config = config(vertx, emu, dir, env);
    QBridge app = QBridge.deploy(vertx, config, Timekeeper.system(vertx)).await();
    return new TestGateway(vertx, emu, app, config, false);
  }

  /**
   * Another qbridge instance on its own {@code vertx} in front of {@code first}'s emulator; {@code
   * env} should give both the same DATABASE_URL. Closing it leaves the emulator to {@code first}.
   */
  public static TestGateway startAnother(Vertx vertx, TestGateway first, Path dir, Map<String, String> env) {
    return startSharing(vertx, first.emulator, dir, env);
  }

  public String baseUrl() { return "http://127.0.0.1:" + app.port(); }

  /** Registers a fresh emulator account in qbridge through the admin API; returns its credentials. */
  public Credentials addAccount() {
    Credentials c = emulator.oidc().newAccount();
    JsonObject body = new JsonObject().put("label", "acct-" + c.clientId())
        .put("clientId", c.clientId()).put("clientSecret", c.clientSecret())
        .put("refreshToken", c.refreshToken()).put("accessToken", c.accessToken());
    Response r = request(HttpMethod.POST, "/v2/accounts", body.toBuffer(), "application/json", adminHeader());
    if (r.status() != 201 && r.status() != 200) throw new IllegalStateException("account create failed: " + r);
    return c;
  }

  /** The qbridge admin JSON of the account registered with {@code clientId}. */
  public JsonObject account(String clientId) {
    Response r = request(HttpMethod.GET, "/v2/accounts", null, null, adminHeader());
    for (Object o : new io.vertx.core.json.JsonArray(r.body())) {
      JsonObject a = (JsonObject) o;
      if (clientId.equals(a.getString("clientId"))) return a;
    }
    throw new IllegalStateException("no account with clientId " + clientId);
  }

  /** The admin key header when the gateway has one (fixture calls to /v2 must pass its guard). */
  private String[] adminHeader() {
    return config.http().adminEnabled() ? new String[] {"x-admin-key", config.http().adminKey()} : new String[0];
  }

  /** {@code GET /healthz} body. */
  public JsonObject health() {
    return request(HttpMethod.GET, "/healthz", null, null).json();
  }

  /** Waits up to 3 s for every lease to be released ({@code activeLeases == 0}); returns the last count. */
  public int awaitNoActiveLeases() {
    long deadline = System.currentTimeMillis() + 3000;
    int leases = -1;
    while (System.currentTimeMillis() < deadline) {
      leases = health().getInteger("activeLeases");
      if (leases == 0) return 0;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return leases;
  }

  /**
   * Sends {@code n} requests at once (from a Vert.x context, over a client with {@code n}
   * connections) and waits for all of them; the responses in request order.
   */
  public java.util.List<Response> postConcurrently(String path, JsonObject body, int n) {
    HttpClientAgent wide = vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(n));
    try {
      Future<java.util.List<Response>> all = onContext(() -> {
        java.util.List<Future<Response>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
          RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port())
              .setURI(path).putHeader("content-type", "application/json");
          calls.add(wide.request(o).compose(req -> req.send(body.toBuffer()))
              .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b))));
        }
        return Future.all(calls).map(c -> c.<Response>list());
      });
      return all.await(60, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError(n + " concurrent requests did not complete within 60 s");
    } finally {
      wide.close().await();
    }
  }

  public record Response(int status, io.vertx.core.MultiMap headers, Buffer body) {
    public JsonObject json() { return new JsonObject(body); }
  }

  /**
   * Runs a client exchange on a Vert.x context and waits for it. Chaining from the test thread
   * races: a callback attached after the response arrived runs on the test thread, and
   * {@code body()} called then misses bytes already delivered, so the call would never finish.
   */
  <T> Future<T> onContext(java.util.function.Supplier<Future<T>> op) {
    io.vertx.core.Promise<T> p = io.vertx.core.Promise.promise();
    vertx.runOnContext(v -> op.get().onComplete(p));
    return p.future();
  }

  private Response exchange(RequestOptions o, Buffer body) {
    Future<Response> f = onContext(() -> http.request(o)
        .compose(req -> body == null ? req.send() : req.send(body))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), resp.headers(), b))));
    try {
      return f.await(30, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no complete response within 30 s for " + o.getMethod() + " " + o.getURI());
    }
  }

  /** One plain request, body read fully. */
  public Response request(HttpMethod method, String path, Buffer body, String contentType) {
    return request(method, path, body, contentType, new String[0]);
  }

  /** One plain request with extra headers (name, value, …). */
  public Response request(HttpMethod method, String path, Buffer body, String contentType, String... headers) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(app.port()).setURI(path);
    if (contentType != null) o.putHeader("content-type", contentType);
    for (int i = 0; i + 1 < headers.length; i += 2) o.putHeader(headers[i], headers[i + 1]);
    return exchange(o, body);
  }

  /** {@code GET path} with extra headers (name, value, …). */
  public Response get(String path, String... headers) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(app.port()).setURI(path);
    for (int i = 0; i + 1 < headers.length; i += 2) o.putHeader(headers[i], headers[i + 1]);
    return exchange(o, null);
  }

  /** One request with extra headers (name, value, name, value, …), body read fully. */
  public Response send(HttpMethod method, String path, Buffer body, String... headers) {
    RequestOptions o = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(app.port()).setURI(path);
    for (int i = 0; i + 1 < headers.length; i += 2) o.putHeader(headers[i], headers[i + 1]);
    return exchange(o, body);
  }

  public Response postJson(String path, JsonObject body, String... headers) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port()).setURI(path)
        .putHeader("content-type", "application/json");
    for (int i = 0; i + 1 < headers.length; i += 2) o.putHeader(headers[i], headers[i + 1]);
    return exchange(o, body.toBuffer());
  }

  /** Opens a streaming request and hands back the response <em>paused</em>; the test resumes it. */
  public Future<HttpClientResponse> openStream(String path, JsonObject body) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(app.port()).setURI(path)
        .putHeader("content-type", "application/json");
    return onContext(() -> http.request(o).compose(req -> req.send(body.toBuffer())).map(resp -> {
      resp.pause();
      return resp;
    }));
  }

  public void close() {
    http.close().await();
    app.close().await();
    if (ownsEmulator) emulator.close().await();
  }
}
