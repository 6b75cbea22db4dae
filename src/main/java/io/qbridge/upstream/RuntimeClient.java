package io.qbridge.upstream;

import io.qbridge.catalog.ModelCatalog;
import io.qbridge.catalog.ModelCatalogParser;
import io.qbridge.ids.RandomIds;
import io.qbridge.quota.UsageLimits;
import io.qbridge.quota.UsageLimitsParser;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Calls the two operations of Amazon Q's second service, {@code CodeWhispererRuntime}: {@code
 * ListAvailableModels} (an account's model catalog) and {@code GetUsageLimits} (its quota), in
 * Binding A of {@code shared/docs/amazon-q-models-and-usage.md} §1.1 — AWS JSON 1.0, {@code POST}
 * to the chat endpoint with {@code x-amz-target: AmazonCodeWhispererService.<Op>}, the members in
 * the JSON body and, as the official client does, copied into the query string. Same host, bearer
 * token and template headers as chat (user agents name {@code api/codewhispererruntime}), through
 * the caller's client from {@link OutboundHttp} (proxy, connect timeout, pool).
 *
 * <p>Sends {@code origin} = the chat origin of the template, so the catalog lists what chat with
 * that origin accepts; no {@code profileArn} (Builder ID is profileless), no {@code maxResults},
 * never {@code isEmailRequired}. Answers are read up to {@value #MAX_BODY_BYTES} bytes and parsed
 * leniently; failures are {@link RuntimeCallError}s. Event-loop confined like the client it uses.
 */
public final class RuntimeClient {

  public static final String TARGET_PREFIX = "AmazonCodeWhispererService.";
  public static final String LIST_AVAILABLE_MODELS = TARGET_PREFIX + "ListAvailableModels";
  public static final String GET_USAGE_LIMITS = TARGET_PREFIX + "GetUsageLimits";

  /** Largest answer read; a catalog of a few dozen models is a few KB. */
  static final int MAX_BODY_BYTES = 1 << 20;

  private final HttpClientAgent http;
  private final String endpoint;
  private final int connectTimeoutMs;
  private final int timeoutMs;
  private final UpstreamTemplate template;

  /**
   * @param endpoint         the chat endpoint (AMAZONQ_ENDPOINT); both services share the host
   * @param connectTimeoutMs connect timeout including the wait for a pooled connection
   * @param timeoutMs        longest silence before the call fails as unreachable
   */
  public RuntimeClient(HttpClientAgent http, String endpoint, int connectTimeoutMs, int timeoutMs, UpstreamTemplate template) {
    this.http = http;
    this.endpoint = endpoint;
    this.connectTimeoutMs = connectTimeoutMs;
    this.timeoutMs = timeoutMs;
    this.template = template;
  }

  /** The account's whole catalog, following {@code nextToken} within {@link ModelCatalogParser#MAX_PAGES}. */
  public Future<ModelCatalog> listAvailableModels(String accessToken) {
    return nextPage(accessToken, new ModelCatalogParser.PageWalk(), null);
  }

  private Future<ModelCatalog> nextPage(String accessToken, ModelCatalogParser.PageWalk walk, String token) {
    JsonObject members = new JsonObject().put("origin", template.origin());
    if (token != null) members.put("nextToken", token);
    return call(LIST_AVAILABLE_MODELS, accessToken, members).compose(body -> {
      String next = walk.add(ModelCatalogParser.parsePage(body), token);
      return next == null ? Future.succeededFuture(walk.catalog()) : nextPage(accessToken, walk, next);
    });
  }

  /** The account's usage this period. */
  public Future<UsageLimits> getUsageLimits(String accessToken) {
    return call(GET_USAGE_LIMITS, accessToken, new JsonObject().put("origin", template.origin()))
        .map(UsageLimitsParser::parse);
  }

  private Future<JsonObject> call(String target, String accessToken, JsonObject members) {
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(endpoint + (endpoint.contains("?") ? "&" : "?") + query(members))
        .setHeaders(headers(target, accessToken))
        .setConnectTimeout(connectTimeoutMs)
        .setIdleTimeout(timeoutMs);
    return http.request(options)
        .compose(req -> req.send(members.toBuffer()))
        .compose(RuntimeClient::readBounded)
        .recover(t -> Future.failedFuture(t instanceof RuntimeCallError r ? r
            : new RuntimeCallError(RuntimeCallError.Failure.UNREACHABLE, 0, t.getClass().getSimpleName() + ": " + t.getMessage())));
  }

  private MultiMap headers(String target, String accessToken) {
    MultiMap h = template.chatHeaders();
    for (String ua : new String[] {"user-agent", "x-amz-user-agent"}) {
      String v = h.get(ua);
      // the runtime service's SDK metadata name (doc §1): api/codewhispererruntime/<version>
      if (v != null) h.set(ua, v.replace("api/codewhispererstreaming/", "api/codewhispererruntime/"));
    }
    return h.set("content-type", "application/x-amz-json-1.0")
        .set("x-amz-target", target)
        .set("amz-sdk-invocation-id", RandomIds.uuid())
        .set("authorization", "Bearer " + accessToken);
  }

  private static String query(JsonObject members) {
    StringBuilder q = new StringBuilder();
    members.forEach(e -> {
      if (q.length() > 0) q.append('&');
      q.append(e.getKey()).append('=').append(URLEncoder.encode(String.valueOf(e.getValue()), StandardCharsets.UTF_8));
    });
    return q.toString();
  }

  /** Reads at most {@link #MAX_BODY_BYTES}; a 200 must be a JSON object, anything else is classified. */
  private static Future<JsonObject> readBounded(HttpClientResponse response) {
    Promise<Buffer> body = Promise.promise();
    Buffer acc = Buffer.buffer();
    response.handler(chunk -> {
      if (acc.length() + chunk.length() > MAX_BODY_BYTES) {
        body.tryFail(new RuntimeCallError(RuntimeCallError.Failure.BAD_RESPONSE, response.statusCode(), "answer larger than " + MAX_BODY_BYTES + " bytes"));
        response.request().reset();
        return;
      }
      acc.appendBuffer(chunk);
    });
    response.exceptionHandler(body::tryFail);
    response.endHandler(v -> body.tryComplete(acc));
    return body.future().compose(buf -> {
      if (response.statusCode() != 200) return Future.failedFuture(classify(response, buf.toString()));
      try {
        return Future.succeededFuture(new JsonObject(buf));
      } catch (RuntimeException e) {
        return Future.failedFuture(new RuntimeCallError(RuntimeCallError.Failure.BAD_RESPONSE, 200, "not a JSON object"));
      }
    });
  }

  static RuntimeCallError classify(HttpClientResponse response, String body) {
    int status = response.statusCode();
    String type = UpstreamErrorClassifier.simpleType(response.getHeader("x-amzn-errortype"));
    if (type == null || type.isEmpty()) type = typeInBody(body);
    if ("UnknownOperationException".equals(type) || body.contains("FEATURE_NOT_SUPPORTED")) {
      return new RuntimeCallError(RuntimeCallError.Failure.NOT_SUPPORTED, status, type + " " + body);
    }
    UpstreamError e = UpstreamErrorClassifier.classifyHttp(status, response.getHeader("x-amzn-errortype"), body, null);
    RuntimeCallError.Failure f = switch (e.kind()) {
      case TOKEN_INVALID -> RuntimeCallError.Failure.TOKEN_INVALID;
      case THROTTLED, SUSPICIOUS_ACTIVITY -> RuntimeCallError.Failure.THROTTLED;
      case SERVER_ERROR, CAPACITY -> RuntimeCallError.Failure.SERVER_ERROR;
      default -> RuntimeCallError.Failure.REJECTED;
    };
    return new RuntimeCallError(f, status, e.detail());
  }

  private static String typeInBody(String body) {
    try {
      Object t = new JsonObject(body).getValue("__type");
      return t instanceof String s ? UpstreamErrorClassifier.simpleType(s) : null;
    } catch (RuntimeException e) {
      return null;
    }
  }
}
