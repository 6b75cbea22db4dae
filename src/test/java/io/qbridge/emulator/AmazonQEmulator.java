package io.qbridge.emulator;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Test-scope Amazon Q Developer upstream speaking the real wire protocol (protocol doc §1, §3, §4,
 * §5): the Flavour-A chat endpoint ({@code POST /} with {@code x-amz-target}) answering with binary
 * AWS event-stream frames, the {@code ListAvailableModels} and {@code GetUsageLimits} operations on
 * the same endpoint ({@link #runtime()}), and the SSO-OIDC endpoints under {@code /oidc}. One HTTP/1.1 server on
 * 127.0.0.1, port 0.
 *
 * <pre>{@code
 * AmazonQEmulator emu = AmazonQEmulator.start(vertx).await();
 * Credentials acct = emu.oidc().newAccount();
 * emu.enqueue(Scenario.text("Hel", "lo"));          // next chat request
 * emu.enqueue(Scenario.throttled429(3));            // the one after
 * // point the gateway at emu.chatEndpoint() / emu.oidcEndpoint() ...
 * assertThat(emu.chatRequests()).hasSize(2);
 * emu.close().await();
 * }</pre>
 *
 * <p><b>Chat request handling</b>, in order: record the request; {@code content-type} must start
 * with {@code application/x-amz-json-1.0} (else 400 SerializationException) and {@code
 * x-amz-target} must be {@value #TARGET} (else 400 UnknownOperationException); the body must be a
 * JSON object with a {@code conversationState} object (else 400 ValidationException "Improperly
 * formed request."); the bearer token must be valid (else 403 AccessDeniedException "The bearer
 * token included in the request is invalid.") — unless {@link #setValidateTokens(boolean)
 * setValidateTokens(false)}, or the token is not known to the OIDC side but has a {@link
 * #scenarioForToken sticky scenario}; in {@link RuntimeService#setStrictModels strict model mode} the
 * {@code modelId} must be in the account's catalog (else 400 INVALID_MODEL_ID). Only then a scenario is chosen: sticky per token, sticky per
 * client id, the FIFO queue, else the default. Rejected requests consume no scenario.
 *
 * <p><b>Threading.</b> The server runs on one Vert.x event loop; every public method is
 * thread-safe and meant to be called from the test thread.
 */
public final class AmazonQEmulator {

  public static final String TARGET = "AmazonCodeWhispererStreamingService.GenerateAssistantResponse";
  public static final String CONTENT_TYPE = AwsResponses.AMZ_JSON;
  public static final String EVENTSTREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream";

  private final Vertx vertx;
  private final OidcEmulator oidc;
  private final RuntimeService runtime;
  private HttpServer server;
  private volatile boolean closing;

  private final ConcurrentLinkedQueue<Scenario> queue = new ConcurrentLinkedQueue<>();
  private final Map<String, Scenario> byToken = new ConcurrentHashMap<>();
  private final Map<String, Scenario> byClient = new ConcurrentHashMap<>();
  private volatile Scenario defaultScenario = Scenario.defaultText();
  private volatile boolean validateTokens = true;
  private volatile boolean recordRequests = true;
  private volatile long seed = 0x5EEDL;

  private final List<RecordedRequest> chatRequests = new CopyOnWriteArrayList<>();
  private final List<RecordedRequest> oidcRequests = new CopyOnWriteArrayList<>();
  private final AtomicLong streamCounter = new AtomicLong();
  private final AtomicInteger activeStreams = new AtomicInteger();
  private final AtomicInteger closedByPeer = new AtomicInteger();
  private final AtomicLong totalBytes = new AtomicLong();
  private volatile EmulatedExchange lastExchange;
  private final List<Waiter> closeWaiters = new ArrayList<>();

  private record Waiter(int total, Promise<Void> promise) {}

  private AmazonQEmulator(Vertx vertx) {
    this.vertx = vertx;
    this.oidc = new OidcEmulator(vertx);
    this.runtime = new RuntimeService(oidc);
  }

  /** Starts the emulator on 127.0.0.1, a free port; the future completes once it listens. */
  public static Future<AmazonQEmulator> start(Vertx vertx) {
    AmazonQEmulator emu = new AmazonQEmulator(vertx);
    return vertx.createHttpServer()
        .requestHandler(emu.router())
        .listen(0, "127.0.0.1")
        .map(s -> {
          emu.server = s;
          return emu;
        });
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(64L * 1024 * 1024));
    router.post("/").handler(this::handleChat);
    router.post("/oidc/client/register").handler(ctx -> oidc.register(recordOidc(ctx), ctx.response()));
    router.post("/oidc/device_authorization")
        .handler(ctx -> oidc.deviceAuthorization(recordOidc(ctx), ctx.response()));
    router.post("/oidc/token").handler(ctx -> oidc.token(recordOidc(ctx), ctx.response()));
    return router;
  }

  /** Closes the server and with it every open connection; peer-close counting stops. */
  public Future<Void> close() {
    closing = true;
    return server == null ? Future.succeededFuture() : server.close();
  }

  public int port() {
    return server.actualPort();
  }

  /** {@code http://127.0.0.1:<port>/} — POST with {@code x-amz-target}. */
  public String chatEndpoint() {
    return "http://127.0.0.1:" + port() + "/";
  }

  /** {@code http://127.0.0.1:<port>/oidc} — append {@code /client/register}, {@code /device_authorization}, {@code /token}. */
  public String oidcEndpoint() {
    return "http://127.0.0.1:" + port() + "/oidc";
  }

  /** ListAvailableModels and GetUsageLimits: per-account catalogs and usage, strict model checking. */
  public RuntimeService runtime() {
    return runtime;
  }

  /** Accounts, tokens and the device flow. */
  public OidcEmulator oidc() {
    return oidc;
  }

  // ================================================================== scenarios

  /** Appends scenarios to the FIFO queue; each accepted chat request without a sticky scenario takes one. */
  public AmazonQEmulator enqueue(Scenario... scenarios) {
    queue.addAll(List.of(scenarios));
    return this;
  }

  /** Scenarios still queued. */
  public int queuedScenarios() {
    return queue.size();
  }

  /** Used when the queue is empty; initially {@link Scenario#defaultText()}. */
  public AmazonQEmulator setDefaultScenario(Scenario scenario) {
    this.defaultScenario = scenario;
    return this;
  }

  /** Every request with this access token gets {@code scenario} (queue untouched); {@code null} removes it. */
  public AmazonQEmulator scenarioForToken(String accessToken, Scenario scenario) {
    sticky(byToken, accessToken, scenario);
    return this;
  }

  /** Every request with any access token issued to {@code clientId} (also after refreshes) gets {@code scenario}; {@code null} removes it. */
  public AmazonQEmulator scenarioForClient(String clientId, Scenario scenario) {
    sticky(byClient, clientId, scenario);
    return this;
  }

  /** Off: any bearer token (even none) is accepted. Default on. */
  public AmazonQEmulator setValidateTokens(boolean validate) {
    this.validateTokens = validate;
    return this;
  }

  /** Seed of the random chunk splitting; stream {@code n} uses {@code new Random(seed + n)}. */
  /** Whether chat requests are kept for {@link #chatRequests()}; the benchmark turns this off (memory, copying). */
  public AmazonQEmulator setRecordRequests(boolean record) {
    this.recordRequests = record;
    return this;
  }

  public AmazonQEmulator setSeed(long seed) {
    this.seed = seed;
    return this;
  }

  // ================================================================== observations

  /** Every chat request received (also rejected ones), in arrival order; a snapshot. */
  public List<RecordedRequest> chatRequests() {
    return List.copyOf(chatRequests);
  }

  /** Every OIDC request received, in arrival order; a snapshot. */
  public List<RecordedRequest> oidcRequests() {
    return List.copyOf(oidcRequests);
  }

  /** Chat exchanges that were accepted and are not over yet (including delayed and hanging ones). */
  public int activeStreams() {
    return activeStreams.get();
  }

  /** Chat exchanges the peer abandoned (closed/reset the connection) before the emulator finished. */
  public int streamsClosedByPeer() {
    return closedByPeer.get();
  }

  /** Completes when the next peer close happens (the count exceeds its current value). */
  public Future<Void> nextStreamClosedByPeer() {
    synchronized (closeWaiters) {
      return whenStreamsClosedByPeer(closedByPeer.get() + 1);
    }
  }

  /** Completes once {@link #streamsClosedByPeer()} reaches {@code total} (at once if it already has). */
  public Future<Void> whenStreamsClosedByPeer(int total) {
    synchronized (closeWaiters) {
      if (closedByPeer.get() >= total) {
        return Future.succeededFuture();
      }
      Promise<Void> p = Promise.promise();
      closeWaiters.add(new Waiter(total, p));
      return p.future();
    }
  }

  /** Body bytes handed to the socket for the current/last accepted chat exchange. */
  public long bytesWritten() {
    EmulatedExchange e = lastExchange;
    return e == null ? 0 : e.bytesWritten();
  }

  /** Body bytes of all chat exchanges so far. */
  public long totalBytesWritten() {
    return totalBytes.get();
  }

  /** Whether the current/last exchange is parked in {@code drainHandler} because the write queue is full. */
  public boolean backPressured() {
    EmulatedExchange e = lastExchange;
    return e != null && e.waitingForDrain();
  }

  // ================================================================== chat endpoint

  private void handleChat(RoutingContext ctx) {
    if (RuntimeService.handles(ctx.request().getHeader("x-amz-target"))) {
      handleRuntime(ctx);
      return;
    }
    RecordedRequest rec = record(ctx, recordRequests ? chatRequests : null);
    HttpServerResponse response = ctx.response();
    if (rejectedContentType(rec, response)) return;
    if (!TARGET.equals(rec.header("x-amz-target"))) {
      AwsResponses.send(response, 400, CONTENT_TYPE,
          new JsonObject().put("__type", "com.amazon.coral.service#UnknownOperationException").encode(),
          "UnknownOperationException", Map.of());
      return;
    }
    if (rec.body() == null || !(rec.body().getValue("conversationState") instanceof JsonObject)) {
      AwsResponses.chatError(response, 400, Scenario.MALFORMED_MESSAGE, null, "ValidationException");
      return;
    }
    Scenario sticky = rec.token() == null ? null : byToken.get(rec.token());
    if (!tokenAccepted(rec.token(), sticky != null)) {
      AwsResponses.chatError(response, 403, Scenario.BEARER_INVALID_MESSAGE, null, "AccessDeniedException");
      return;
    }
    if (runtime.refusesModel(oidc.clientIdOf(rec.token()), modelIdOf(rec.body()))) {
      AwsResponses.chatError(response, 400, RuntimeService.INVALID_MODEL_MESSAGE, "INVALID_MODEL_ID", "ValidationException");
      return;
    }
    startExchange(ctx, rec, chooseScenario(rec.token(), sticky));
  }

  /** AWS JSON 1.0 needs its content type: anything else is answered like Amazon Q does (true = answered). */
  private static boolean rejectedContentType(RecordedRequest rec, HttpServerResponse response) {
    String contentType = rec.header("content-type");
    if (contentType != null && contentType.toLowerCase().startsWith(CONTENT_TYPE)) return false;
    AwsResponses.send(response, 400, CONTENT_TYPE,
        new JsonObject().put("__type", "com.amazon.coral.service#SerializationException")
            .put("message", "Unsupported content type: " + contentType).encode(),
        "SerializationException", Map.of());
    return true;
  }

  /** ListAvailableModels / GetUsageLimits: same content type and token rules as chat, then {@link RuntimeService}. */
  private void handleRuntime(RoutingContext ctx) {
    RecordedRequest rec = record(ctx, new ArrayList<>());
    runtime.record(rec);
    HttpServerResponse response = ctx.response();
    if (rejectedContentType(rec, response)) return;
    if (!tokenAccepted(rec.token(), false)) {
      AwsResponses.chatError(response, 403, Scenario.BEARER_INVALID_MESSAGE, null, "AccessDeniedException");
      return;
    }
    Map<String, String> query = new java.util.HashMap<>();
    ctx.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    runtime.serve(rec, oidc.clientIdOf(rec.token()), query, response);
  }

  private static String modelIdOf(JsonObject body) {
    Object v = body.getJsonObject("conversationState").getValue("currentMessage") instanceof JsonObject cm
        && cm.getValue("userInputMessage") instanceof JsonObject uim ? uim.getValue("modelId") : null;
    return v instanceof String s ? s : null;
  }

  private boolean tokenAccepted(String token, boolean hasStickyScenario) {
    if (!validateTokens) {
      return true;
    }
    OidcEmulator.TokenStatus status = oidc.tokenStatus(token);
    return status == OidcEmulator.TokenStatus.VALID
        || (status == OidcEmulator.TokenStatus.UNKNOWN && hasStickyScenario);
  }

  private Scenario chooseScenario(String token, Scenario stickyByToken) {
    if (stickyByToken != null) {
      return stickyByToken;
    }
    String clientId = oidc.clientIdOf(token);
    Scenario s = clientId == null ? null : byClient.get(clientId);
    if (s == null) {
      s = queue.poll();
    }
    return s != null ? s : defaultScenario;
  }

  private void startExchange(RoutingContext ctx, RecordedRequest rec, Scenario scenario) {
    JsonObject state = rec.body().getJsonObject("conversationState");
    Object cid = state.getValue("conversationId");
    String conversationId = cid instanceof String s && !s.isEmpty() ? s : UUID.randomUUID().toString();
    long n = streamCounter.incrementAndGet();
    EmulatedExchange exchange = new EmulatedExchange(this, vertx, ctx.request(), scenario,
        new Random(seed + n), conversationId);
    activeStreams.incrementAndGet();
    lastExchange = exchange;
    exchange.start();
  }

  /** Called exactly once per exchange, on its event loop. */
  void streamFinished(EmulatedExchange exchange, boolean byPeer) {
    activeStreams.decrementAndGet();
    if (!byPeer || closing) {
      return;
    }
    List<Promise<Void>> ready = new ArrayList<>();
    synchronized (closeWaiters) {
      int count = closedByPeer.incrementAndGet();
      for (Iterator<Waiter> it = closeWaiters.iterator(); it.hasNext(); ) {
        Waiter w = it.next();
        if (count >= w.total()) {
          ready.add(w.promise());
          it.remove();
        }
      }
    }
    ready.forEach(Promise::tryComplete);
  }

  void countBytes(int n) {
    totalBytes.addAndGet(n);
  }

  // ================================================================== recording

  private JsonObject recordOidc(RoutingContext ctx) {
    return record(ctx, oidcRequests).body();
  }

  private static RecordedRequest record(RoutingContext ctx, List<RecordedRequest> into) {
    MultiMap headers = HttpHeaders.headers().addAll(ctx.request().headers());
    String raw = ctx.body().buffer() == null ? "" : ctx.body().asString();
    RecordedRequest rec = new RecordedRequest(ctx.request().method().name(), ctx.request().path(), headers,
        parseObject(raw), raw, bearer(headers.get("authorization")), Instant.now());
    if (into != null) into.add(rec);
    return rec;
  }

  private static JsonObject parseObject(String raw) {
    try {
      Object v = Json.decodeValue(raw);
      return v instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String bearer(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String t = authorization.substring(7).trim();
    return t.isEmpty() ? null : t;
  }

  private static void sticky(Map<String, Scenario> map, String key, Scenario scenario) {
    if (scenario == null) {
      map.remove(key);
    } else {
      map.put(key, scenario);
    }
  }
}
