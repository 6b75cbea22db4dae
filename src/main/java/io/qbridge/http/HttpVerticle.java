package io.qbridge.http;

import io.qbridge.account.AccountPoolClient;
import io.qbridge.api.anthropic.CountTokensHandler;
import io.qbridge.api.anthropic.MessagesHandler;
import io.qbridge.config.AppConfig;
import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.http.admin.AccountAdminRoutes;
import io.qbridge.http.admin.DeviceLoginRoutes;
import io.qbridge.upstream.OutboundHttp;
import io.qbridge.upstream.UpstreamClient;
import io.qbridge.upstream.UpstreamTemplate;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Clock;
import java.util.function.IntConsumer;

/**
 * The public HTTP front: the route table, the API handlers and this instance's upstream client.
 * Deployed once per core; each instance owns its event loop, its server share and its pooled
 * upstream connections, so a request is served start to end on one thread.
 */
public final class HttpVerticle extends VerticleBase {

  private final AppConfig config;
  private final UpstreamTemplate template;
  private final IntConsumer onListening;
  private HttpClientAgent upstreamHttp;
  private HttpServer server;

  public HttpVerticle(AppConfig config, UpstreamTemplate template, IntConsumer onListening) {
    this.config = config;
    this.template = template;
    this.onListening = onListening;
  }

  @Override
  public Future<?> start() {
    upstreamHttp = OutboundHttp.create(vertx, config, config.upstreamMaxConnections());
    Router router = routes();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(config.host()).setPort(config.port())
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
            "cannot listen on " + config.host() + ":" + config.port() + ": " + t.getMessage(), t)))
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
        : server.shutdown(config.shutdownGraceSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    return drained.eventually(() -> upstreamHttp == null ? Future.succeededFuture() : upstreamHttp.close());
  }

  private Router routes() {
    AccountPoolClient pool = new AccountPoolClient(vertx);
    TokenCounter tokens = new TokenCounter(config.tokenCountMultiplier());
    UpstreamClient upstream = new UpstreamClient(vertx, upstreamHttp, config, template);
    ChatExchange exchange = new ChatExchange(vertx, pool, upstream, config.pingIntervalMs(), config.maxAttempts());
    AmazonQRequestBuilder builder = new AmazonQRequestBuilder(template, Clock.systemDefaultZone());
    ChatPipeline pipeline = new ChatPipeline(builder, tokens, exchange, config.contextTokenLimit());

    Router router = Router.router(vertx);
    router.route().handler(new RequestIds());
    router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));

    router.route(HttpMethod.GET, "/").handler(this::root);
    router.route(HttpMethod.HEAD, "/").handler(this::root);
    router.get("/healthz").handler(new HealthHandler(pool));

    ApiKeyAuth anthropicAuth = new ApiKeyAuth(config.apiKeys(), ErrorShape.ANTHROPIC);
    router.post("/v1/messages").handler(anthropicAuth)
        .handler(new MessagesHandler(pipeline));
    router.post("/v1/messages/count_tokens").handler(anthropicAuth).handler(new CountTokensHandler(tokens));
    router.route("/v1/messages*").failureHandler(new FailureHandler(ErrorShape.ANTHROPIC));
    io.qbridge.api.openai.OpenAiRoutes.mount(router, config, pipeline);

    router.route("/v2/*").handler(new AdminKeyAuth(config.adminKey()));
    AccountAdminRoutes.mount(router, pool);
    DeviceLoginRoutes.mount(router, vertx, config);
    router.route("/v2/*").failureHandler(new FailureHandler(ErrorShape.ADMIN));

    router.route().last().handler(ctx -> ctx.fail(GatewayException.notFound(
        "No route for " + ctx.request().method() + " " + ctx.request().path())));
    router.route().failureHandler(new FailureHandler(ErrorShape.OPENAI));
    return router;
  }

  private void root(io.vertx.ext.web.RoutingContext ctx) {
    ctx.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("name", "qbridge").put("status", "ok").toBuffer());
  }
}
