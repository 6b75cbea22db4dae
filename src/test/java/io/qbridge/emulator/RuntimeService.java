package io.qbridge.emulator;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The emulator's {@code CodeWhispererRuntime} operations ({@code shared/docs/amazon-q-models-and-usage.md}):
 * {@code ListAvailableModels} and {@code GetUsageLimits} in Binding A — {@code POST /} on the chat
 * host, {@code x-amz-target: AmazonCodeWhispererService.<Op>}, {@code content-type:
 * application/x-amz-json-1.0}, the same bearer token as chat. Members are read from the JSON body,
 * falling back to the query string (the official client sends both).
 *
 * <p>Answers are per account (the OIDC client id behind the token, so they survive token
 * refreshes): {@link #catalogFor}/{@link #usageFor}, else the defaults ({@link #DEFAULT_CATALOG},
 * {@link #DEFAULT_USAGE}). Any other {@code AmazonCodeWhispererService.*} target is 400
 * UnknownOperationException; an invalid token is chat's 403. Requests are recorded in {@link
 * #requests()} (not among the chat requests).
 *
 * <p><b>Strict models</b> ({@link #setStrictModels}): chat requests whose {@code
 * currentMessage.userInputMessage.modelId} is not in the account's catalog (the default catalog when
 * its catalog answer is an error) are refused with 400 ValidationException reason {@code
 * INVALID_MODEL_ID}, as Amazon Q does (the reason is documented; the message text is ours).
 */
public final class RuntimeService {

  public static final String LIST_AVAILABLE_MODELS = "AmazonCodeWhispererService.ListAvailableModels";
  public static final String GET_USAGE_LIMITS = "AmazonCodeWhispererService.GetUsageLimits";
  public static final String INVALID_MODEL_MESSAGE = "Invalid model. Please select a different model to continue.";

  /** The static model list qbridge ships, 200k / 64k each, default Sonnet 4.5. */
  public static final CatalogAnswer DEFAULT_CATALOG = CatalogAnswer.of(
      model("claude-sonnet-4.5", "Claude Sonnet 4.5", 200_000, 64_000),
      model("claude-sonnet-4", "Claude Sonnet 4", 200_000, 64_000),
      model("claude-haiku-4.5", "Claude Haiku 4.5", 200_000, 64_000),
      model("claude-opus-4.5", "Claude Opus 4.5", 200_000, 64_000),
      model("claude-3.7-sonnet", "Claude 3.7 Sonnet", 200_000, 64_000));

  /** The doc's KIRO FREE sample (§5): 12.35 of 50 credits used, reset 2026-06-01. */
  public static final UsageAnswer DEFAULT_USAGE = UsageAnswer.json(UsageSamples.FREE);

  private final OidcEmulator oidc;
  private final Map<String, CatalogAnswer> catalogs = new ConcurrentHashMap<>();
  private final Map<String, UsageAnswer> usages = new ConcurrentHashMap<>();
  private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
  private volatile CatalogAnswer defaultCatalog = DEFAULT_CATALOG;
  private volatile UsageAnswer defaultUsage = DEFAULT_USAGE;
  private volatile boolean strictModels;

  RuntimeService(OidcEmulator oidc) {
    this.oidc = oidc;
  }

  // ================================================================== configuration

  /** What {@code ListAvailableModels} answers for the account of {@code clientId}; {@code null} restores the default. */
  public RuntimeService catalogFor(String clientId, CatalogAnswer answer) {
    put(catalogs, clientId, answer);
    return this;
  }

  /** What {@code GetUsageLimits} answers for the account of {@code clientId}; {@code null} restores the default. */
  public RuntimeService usageFor(String clientId, UsageAnswer answer) {
    put(usages, clientId, answer);
    return this;
  }

  public RuntimeService setDefaultCatalog(CatalogAnswer answer) {
    this.defaultCatalog = answer;
    return this;
  }

  public RuntimeService setDefaultUsage(UsageAnswer answer) {
    this.defaultUsage = answer;
    return this;
  }

  /** On: chat refuses model ids outside the account's catalog with INVALID_MODEL_ID. Default off. */
  public RuntimeService setStrictModels(boolean strict) {
    this.strictModels = strict;
    return this;
  }

  // ================================================================== observations

  /** Every runtime-operation request received (also rejected ones), in arrival order; a snapshot. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Requests for {@code target} made with a token of {@code clientId}'s account. */
  public long calls(String target, String clientId) {
    return requests.stream()
        .filter(r -> target.equals(r.header("x-amz-target")) && clientId.equals(oidc.clientIdOf(r.token())))
        .count();
  }

  // ================================================================== serving

  static boolean handles(String target) {
    return target != null && target.startsWith("AmazonCodeWhispererService.");
  }

  void record(RecordedRequest rec) {
    requests.add(rec);
  }

  /** Serves an already validated (content type, token) runtime request of {@code clientId} (may be null). */
  void serve(RecordedRequest rec, String clientId, Map<String, String> query, HttpServerResponse response) {
    String target = rec.header("x-amz-target");
    JsonObject members = rec.body() != null ? rec.body() : new JsonObject();
    if (LIST_AVAILABLE_MODELS.equals(target)) {
      String origin = member(members, query, "origin");
      if (origin == null || origin.isEmpty()) {
        AwsResponses.chatError(response, 400, "1 validation error detected: Value null at 'origin' failed to satisfy constraint: Member must not be null",
            null, "ValidationException");
        return;
      }
      catalogAnswer(clientId).serve(response, member(members, query, "nextToken"));
    } else if (GET_USAGE_LIMITS.equals(target)) {
      usageAnswer(clientId).serve(response);
    } else {
      AwsResponses.send(response, 400, AwsResponses.AMZ_JSON,
          new JsonObject().put("__type", "com.amazon.coral.service#UnknownOperationException").encode(),
          "UnknownOperationException", Map.of());
    }
  }

  /** For strict mode: whether chat may use {@code modelId} on {@code clientId}'s account. */
  boolean refusesModel(String clientId, String modelId) {
    if (!strictModels || modelId == null) return false;
    CatalogAnswer answer = catalogAnswer(clientId);
    if (answer.error != null) answer = defaultCatalog.error == null ? defaultCatalog : DEFAULT_CATALOG;
    return !answer.ids().contains(modelId);
  }

  private CatalogAnswer catalogAnswer(String clientId) {
    CatalogAnswer a = clientId == null ? null : catalogs.get(clientId);
    return a != null ? a : defaultCatalog;
  }

  private UsageAnswer usageAnswer(String clientId) {
    UsageAnswer a = clientId == null ? null : usages.get(clientId);
    return a != null ? a : defaultUsage;
  }

  private static String member(JsonObject body, Map<String, String> query, String name) {
    Object v = body.getValue(name);
    if (v instanceof String s) return s;
    return query.get(name);
  }

  private static <V> void put(Map<String, V> map, String key, V value) {
    if (value == null) map.remove(key);
    else map.put(key, value);
  }

  // ================================================================== answers

  /** A {@code Model} object as the doc's §5 minimal success writes it. */
  public static JsonObject model(String id, String name, int maxInputTokens, int maxOutputTokens) {
    return new JsonObject().put("modelId", id).put("modelName", name)
        .put("tokenLimits", new JsonObject().put("maxInputTokens", maxInputTokens).put("maxOutputTokens", maxOutputTokens))
        .put("supportedInputTypes", new JsonArray().add("TEXT").add("IMAGE"))
        .put("rateMultiplier", 1.3).put("rateUnit", "Credit");
  }

  /** A model with only its id (the leniency case: no name, no limits). */
  public static JsonObject bareModel(String id) {
    return new JsonObject().put("modelId", id);
  }

  /** An AWS JSON error answer: status, {@code x-amzn-errortype}, body. */
  public record ErrorAnswer(int status, String errorType, String body) {
    void send(HttpServerResponse response) {
      AwsResponses.send(response, status, AwsResponses.AMZ_JSON, body, errorType, Map.of());
    }

    /** 403 AccessDeniedException reason FEATURE_NOT_SUPPORTED (legacy Q Developer Pro, admin-managed plans). */
    public static ErrorAnswer featureNotSupported() {
      return new ErrorAnswer(403, "AccessDeniedException", new JsonObject()
          .put("__type", "com.amazon.aws.codewhisperer#AccessDeniedException")
          .put("message", "This feature is not supported for your subscription.").put("reason", "FEATURE_NOT_SUPPORTED").encode());
    }

    /** 400 UnknownOperationException: a service that does not know the operation. */
    public static ErrorAnswer unknownOperation() {
      return new ErrorAnswer(400, "UnknownOperationException",
          new JsonObject().put("__type", "com.amazon.coral.service#UnknownOperationException").encode());
    }

    /** 500 InternalServerException. */
    public static ErrorAnswer internal500() {
      return new ErrorAnswer(500, "InternalServerException", Scenario.body(Scenario.HIGH_LOAD_MESSAGE, null));
    }

    /** 429 ThrottlingException. */
    public static ErrorAnswer throttled429() {
      return new ErrorAnswer(429, "ThrottlingException", Scenario.body(Scenario.THROTTLED_MESSAGE, null));
    }

    /** 403 "The bearer token included in the request is invalid." (what an expired token gets). */
    public static ErrorAnswer expiredToken() {
      return new ErrorAnswer(403, "AccessDeniedException", Scenario.body(Scenario.BEARER_INVALID_MESSAGE, null));
    }
  }

  /**
   * What {@code ListAvailableModels} answers: a catalog served in pages, or an error. Paging: with
   * {@code pageSize > 0} page {@code n} carries {@code nextToken = base64("page:<n+1>")} until the
   * last; {@link Paging#REPEAT_TOKEN} answers every page after the first with the token it received
   * (a client must stop), {@link Paging#EMPTY_TOKEN} ends with {@code "nextToken": ""}, {@link
   * Paging#ENDLESS} always offers a fresh token (a client must bound its walk).
   */
  public static final class CatalogAnswer {
    public enum Paging { NORMAL, REPEAT_TOKEN, EMPTY_TOKEN, ENDLESS }

    final List<JsonObject> models;
    final JsonObject defaultModel;
    final int pageSize;
    final Paging paging;
    final ErrorAnswer error;

    private CatalogAnswer(List<JsonObject> models, JsonObject defaultModel, int pageSize, Paging paging, ErrorAnswer error) {
      this.models = models.stream().map(JsonObject::copy).toList();
      this.defaultModel = defaultModel == null ? null : defaultModel.copy();
      this.pageSize = pageSize;
      this.paging = paging;
      this.error = error;
    }

    /** One page with these models; the default model is the first. */
    public static CatalogAnswer of(JsonObject... models) {
      return new CatalogAnswer(List.of(models), models.length == 0 ? null : models[0], 0, Paging.NORMAL, null);
    }

    /** A catalog of these ids with the given limits and names equal to the ids. */
    public static CatalogAnswer ofIds(int maxInputTokens, int maxOutputTokens, String... ids) {
      JsonObject[] m = new JsonObject[ids.length];
      for (int i = 0; i < ids.length; i++) m[i] = model(ids[i], ids[i], maxInputTokens, maxOutputTokens);
      return of(m);
    }

    public static CatalogAnswer error(ErrorAnswer error) {
      return new CatalogAnswer(List.of(), null, 0, Paging.NORMAL, error);
    }

    /** The same catalog served {@code pageSize} models per page. */
    public CatalogAnswer paged(int pageSize, Paging paging) {
      return new CatalogAnswer(models, defaultModel, pageSize, paging, error);
    }

    /** The same catalog with another default model object ({@code null}: the member is omitted). */
    public CatalogAnswer withDefault(JsonObject defaultModel) {
      return new CatalogAnswer(models, defaultModel, pageSize, paging, error);
    }

    /** Model ids of the catalog (empty for an error). */
    public Set<String> ids() {
      Set<String> ids = new LinkedHashSet<>();
      for (JsonObject m : models) {
        if (m.getValue("modelId") instanceof String s) ids.add(s);
      }
      return ids;
    }

    void serve(HttpServerResponse response, String nextToken) {
      if (error != null) {
        error.send(response);
        return;
      }
      int page = pageOf(nextToken);
      if (page < 0) {
        AwsResponses.chatError(response, 400, "Invalid pagination token", null, "ValidationException");
        return;
      }
      JsonObject body = new JsonObject();
      List<JsonObject> slice = new ArrayList<>();
      int size = pageSize <= 0 ? Math.max(1, models.size()) : pageSize;
      for (int i = page * size; i < Math.min(models.size(), (page + 1) * size); i++) slice.add(models.get(i));
      body.put("models", new JsonArray(new ArrayList<>(slice)));
      if (defaultModel != null) body.put("defaultModel", defaultModel);
      boolean more = pageSize > 0 && (page + 1) * size < models.size();
      switch (paging) {
        case NORMAL -> { if (more) body.put("nextToken", token(page + 1)); }
        case EMPTY_TOKEN -> body.put("nextToken", more ? token(page + 1) : "");
        case REPEAT_TOKEN -> body.put("nextToken", nextToken != null ? nextToken : token(page + 1));
        case ENDLESS -> body.put("nextToken", token(page + 1));
      }
      AwsResponses.send(response, 200, AwsResponses.AMZ_JSON, body.encode(), null, Map.of());
    }

    private static String token(int page) {
      return Base64.getEncoder().encodeToString(("page:" + page).getBytes(StandardCharsets.UTF_8));
    }

    private static int pageOf(String token) {
      if (token == null || token.isEmpty()) return 0;
      try {
        String s = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
        return s.startsWith("page:") ? Integer.parseInt(s.substring(5)) : -1;
      } catch (IllegalArgumentException e) {
        return -1;
      }
    }
  }

  /** What {@code GetUsageLimits} answers: a JSON body (sent verbatim, so exponent numbers stay as written) or an error. */
  public record UsageAnswer(String rawJson, ErrorAnswer error) {
    public static UsageAnswer json(String rawJson) {
      return new UsageAnswer(rawJson, null);
    }

    public static UsageAnswer error(ErrorAnswer error) {
      return new UsageAnswer(null, error);
    }

    /** A CREDIT breakdown with {@code used} of {@code limit}, resetting at {@code nextResetEpochSeconds}. */
    public static UsageAnswer credits(double used, double limit, long nextResetEpochSeconds) {
      return json(UsageSamples.credits(used, limit, nextResetEpochSeconds));
    }

    void serve(HttpServerResponse response) {
      if (error != null) error.send(response);
      else AwsResponses.send(response, 200, AwsResponses.AMZ_JSON, rawJson, null, Map.of());
    }
  }
}
