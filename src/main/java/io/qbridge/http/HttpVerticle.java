package io.qbridge.http;

import io.qbridge.api.anthropic.AnthropicApi;
import io.qbridge.api.openai.OpenAiApi;
import io.qbridge.api.responses.ResponsesApi;
import io.qbridge.audit.AuditClient;
import io.qbridge.bus.AccountPoolClient;
import io.qbridge.bus.Addresses;
import io.qbridge.catalog.ModelDirectory;
import io.qbridge.chat.ChatExchange;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import io.qbridge.chat.ChatPipeline;
import io.qbridge.config.AppConfig;
import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.ErrorType;
import io.qbridge.error.GatewayException;
import io.qbridge.http.admin.AdminApi;
import io.qbridge.http.security.AdminSecurity;
import io.qbridge.http.security.SecurityHeaders;
import io.qbridge.http.docs.DocsApi;
import io.qbridge.upstream.OutboundHttp;
import io.qbridge.upstream.UpstreamClient;
import io.qbridge.upstream.UpstreamTemplate;
import io.qbridge.http.metrics.MetricsApi;
import io.qbridge.telemetry.prometheus.PrometheusMetrics;
import io.qbridge.web.AccessLog;
import io.qbridge.web.ApiModule;
import io.qbridge.web.BodyWork;
import io.qbridge.web.ErrorShape;
import io.qbridge.web.FailureHandler;
import io.qbridge.web.RawBodyHandler;
import io.qbridge.web.RequestIds;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.FileSystemAccess;
import io.vertx.ext.web.handler.StaticHandler;
import java.time.Clock;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The public HTTP front: composes the API modules into one router and owns this instance's
 * upstream client.
 * Deployed once per core; each instance owns its event loop, its server share and its pooled
 * upstream connections, so a request is served start to end on one thread.
 */
public final class HttpVerticle extends VerticleBase {

  private final AppConfig config;
  private final UpstreamTemplate template;
  private final AdminSecurity security;
  private final IntConsumer onListening;
  private final PrometheusMetrics metrics;
  /** Admin bodies are a few hundred bytes of JSON; this keeps parsing them trivially cheap. */
  static final int ADMIN_MAX_BODY_BYTES = 1024 * 1024;

  private HttpClientAgent upstreamHttp;
  private WorkerExecutor bodyWorkers;
  private HttpServer server;
  private Router router;

  /**
   * @param security the process's one admin security (sessions, lockouts), shared by every instance
   * @param metrics  shared by every HTTP instance of one qbridge (one registry, one /metrics)
   */
  public HttpVerticle(AppConfig config, UpstreamTemplate template, AdminSecurity security, PrometheusMetrics metrics,
      IntConsumer onListening) {
    this.config = config;
    this.template = template;
    this.security = security;
    this.metrics = metrics;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    upstreamHttp = OutboundHttp.create(vertx, config.upstream(), config.upstream().maxConnections());
    bodyWorkers = vertx.createSharedWorkerExecutor(BodyWork.POOL_NAME,
        Math.max(2, Runtime.getRuntime().availableProcessors()), 10, java.util.concurrent.TimeUnit.MINUTES);
    // the tokenizer's vocabulary takes about a second to load: never on an event loop
    return vertx.executeBlocking(() -> {
      TokenCounter.warmUp();
      DocsApi.warmUp();
      return null;
    }).compose(v -> listen());
  }

  private Future<?> listen() {
    router = routes();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.http().host()).setPort(config.http().port())
        .setCompressionSupported(false)
        // no WebSocket routes: without these Vert.x adds a WebSocket extension handler to every connection
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setTcpNoDelay(true)
        // every request is handled and answered on its connection's event loop: skip the cross-thread write queue
        .setStrictThreadMode(true)
        .setMaxInitialLineLength(16 * 1024));
    return server.requestHandler(router).listen()
        .recover(t -> Future.failedFuture(new IllegalStateException(
            "cannot listen on " + config.http().host() + ":" + config.http().port() + ": " + t.getMessage(), t)))
        .onSuccess(s -> onListening.accept(s.actualPort()));
  }

  /**
   * Graceful stop: the server stops accepting connections at once, lets in-flight requests (SSE
   * streams included) finish for up to SHUTDOWN_GRACE_SECONDS, then closes what is left; only then
   * is the upstream client closed, since those requests still need it.
   */
  @Override
  public Future<?> stop() {
    Future<Void> drained = server == null ? Future.succeededFuture()
        : server.shutdown(config.http().shutdownGraceSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    return drained.eventually(() -> upstreamHttp == null ? Future.succeededFuture() : upstreamHttp.close())
        .eventually(() -> bodyWorkers == null ? Future.succeededFuture() : bodyWorkers.close());
  }

  /** The route table, once started (the OpenAPI drift test reads it). */
  Router router() { return router; }

  /** The route table: cross-cutting handlers, then one module per API family, then the 404. */
  private Router routes() {
    AccountPoolClient pool = new AccountPoolClient(vertx);
    TokenCounter tokens = new TokenCounter(config.http().tokenCountMultiplier());
    UpstreamClient upstream = new UpstreamClient(vertx, upstreamHttp, config.upstream(), template);
    ChatExchange exchange = new ChatExchange(vertx, pool, upstream, config.http().pingIntervalMs(), config.http().maxAttempts(),
        config.upstream().maxConnections());
    AmazonQRequestBuilder builder = new AmazonQRequestBuilder(template, Clock.systemDefaultZone());
    BodyWork bodyWork = new BodyWork(bodyWorkers, 2L * config.http().maxBodyBytes());
    ChatPipeline pipeline = new ChatPipeline(builder, tokens, exchange, config.http().contextTokenLimit(), bodyWork,
        followDirectory(pool)::get, config.routing().modelFallback());

    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route().handler(new AccessLog(metrics));
    // bodies are JSON whatever their Content-Type: raw bytes, never form or multipart decoding
    router.route("/v1/*").handler(new RawBodyHandler(config.http().maxBodyBytes(), "MAX_BODY_BYTES"));
    router.route("/v2/*").handler(new RawBodyHandler(ADMIN_MAX_BODY_BYTES, "the admin API's limit"));

    SecurityHeaders securityHeaders = new SecurityHeaders();
    for (String path : CONSOLE_PATHS) router.route(path).handler(securityHeaders);
    router.route("/v2/*").handler(securityHeaders);
    router.route("/docs*").handler(securityHeaders);

    router.route(HttpMethod.GET, "/").handler(this::root);
    router.route(HttpMethod.HEAD, "/").handler(this::root);
    router.get("/healthz").handler(new HealthHandler(pool));

    List<ApiModule> modules = List.of(
        new AnthropicApi(config.http().apiKeys(), pipeline, bodyWork),
        new OpenAiApi(config.http().apiKeys(), pipeline),
        new ResponsesApi(vertx, config, pipeline),
        new AdminApi(vertx, config, pool, security),
        new DocsApi(),
        new MetricsApi(vertx, metrics, security.guard(AdminApi.ERROR_SHAPE, new AuditClient(vertx))));
    modules.forEach(m -> m.mount(router));
    // vertx-web answers a path it cannot decode (/v2/accounts/%zz) itself, in plain text
    router.errorHandler(400, ctx -> FailureHandler.send(ctx.response(), shapeFor(modules, ctx.request().path()), 400,
        ErrorType.INVALID_REQUEST, "Malformed URL: invalid percent-encoding in the path"));

    // the web console: webroot/ on disk (or bundled in the jar); its API is /v2, behind the admin guard
    // (a prefix route serves paths relative to its prefix, hence one handler per folder)
    router.get("/").handler(consoleFiles("webroot"));
    router.route("/index.html").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(consoleFiles("webroot"));
    router.route("/assets/*").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(consoleFiles("webroot/assets"));

    // anything else: a 404 in OpenAI's shape, the most widely understood one
    router.route().last().handler(ctx -> ctx.fail(GatewayException.notFound(
        "No route for " + ctx.request().method() + " " + ctx.request().path())));
    router.route().failureHandler(new FailureHandler(ErrorShape.OPENAI));
    return router;
  }

  /**
   * The accounts' model directory as this verticle knows it: the static list until the pool
   * answers, then every version the pool publishes (a late initial answer never overwrites a
   * published one). Read from worker threads too, hence the atomic reference.
   */
  private AtomicReference<ModelDirectory> followDirectory(AccountPoolClient pool) {
    AtomicReference<ModelDirectory> current = new AtomicReference<>(ChatPipeline.staticDirectory());
    AtomicBoolean published = new AtomicBoolean();
    vertx.eventBus().<JsonObject>consumer(Addresses.MODELS_DIRECTORY_CHANGED, m -> {
      ModelDirectory d = ModelDirectory.fromJson(m.body());
      if (d != null) {
        published.set(true);
        current.set(d);
      }
    });
    pool.modelDirectory().onSuccess(json -> {
      ModelDirectory d = ModelDirectory.fromJson(json);
      if (d != null && !published.get()) current.set(d);
    });
    return current;
  }

  /** The error shape of the module serving {@code path}; OpenAI's, like the 404, for the rest. */
  static ErrorShape shapeFor(List<ApiModule> modules, String path) {
    if (path == null) return ErrorShape.OPENAI;
    return modules.stream().filter(m -> m.serves(path)).findFirst().map(ApiModule::errorShape).orElse(ErrorShape.OPENAI);
  }

  private static StaticHandler consoleFiles(String root) {
    return StaticHandler.create(FileSystemAccess.RELATIVE, root)
        .setIndexPage("index.html").setMaxAgeSeconds(0).setDefaultContentEncoding("UTF-8");
  }

  /** Paths served from webroot/: the page and its assets, nothing else touches the file system. */
  private static final List<String> CONSOLE_PATHS = List.of("/", "/index.html", "/assets/*");

  /**
   * {@code HEAD /} and {@code GET /} without {@code text/html} in Accept (Claude Code's probe,
   * curl, health checkers) get the small JSON answer at once; a browser gets the console.
   */
  private void root(RoutingContext ctx) {
    String accept = ctx.request().getHeader("accept");
    if (ctx.request().method() == HttpMethod.GET && accept != null && accept.contains("text/html")) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("name", "qbridge").put("status", "ok").toBuffer());
  }
}
