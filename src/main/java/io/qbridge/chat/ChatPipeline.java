package io.qbridge.chat;

import io.qbridge.catalog.ModelCatalog;
import io.qbridge.catalog.ModelDirectory;
import io.qbridge.catalog.ModelInfo;
import io.qbridge.convert.AmazonQRequestBuilder;
import io.qbridge.convert.ModelMapper;
import io.qbridge.convert.Conversation;
import io.qbridge.convert.InputTokenEstimator;
import io.qbridge.convert.QRequest;
import io.qbridge.convert.TokenCounter;
import io.qbridge.error.GatewayException;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.telemetry.RequestFacts;
import io.qbridge.web.Bodies;
import io.qbridge.web.BodyWork;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What both chat front ends do with a request: parse its body, estimate the conversation's prompt
 * tokens (once: the same estimate feeds the context check, {@code message_start} and usage),
 * refuse an oversized prompt locally (CONTEXT_TOKEN_LIMIT) in the caller's API wording, build the
 * one Amazon Q request, and run it through the pool with the caller's response writer.
 *
 * <p>Parsing to building costs time in proportion to the body, so {@link #parse} runs it through
 * {@link BodyWork}: inline for small bodies, on a worker for large ones; the exchange then runs on
 * the event loop.
 */
public final class ChatPipeline {

  /** Context window assumed for a model whose catalog entry gives none (Amazon Q's usual 200k). */
  public static final int DEFAULT_CONTEXT_WINDOW = 200_000;

  /**
   * The model a request is served by.
   *
   * @param modelId       the catalog id sent to Amazon Q
   * @param fallback      true when it is not the model asked for (said in {@code x-qbridge-model})
   * @param contextWindow its {@code maxInputTokens} (or {@link #DEFAULT_CONTEXT_WINDOW}); turns
   *                      {@code contextUsagePercentage} into tokens
   * @param maxOutput     its {@code maxOutputTokens}, 0 when unknown
   */
  public record ModelChoice(String modelId, boolean fallback, int contextWindow, int maxOutput) {

    /** {@code max_tokens} clamped to the model's output limit; 0 (none asked) stays 0. */
    public int clampMaxTokens(int requested) {
      return requested > 0 && maxOutput > 0 ? Math.min(requested, maxOutput) : requested;
    }
  }

  /** The API's own "prompt too long" wording for (estimated tokens, the limit that applied). */
  public interface TooLong {
    String message(int tokens, int limit);
  }

  /**
   * A conversation ready to send: its prompt estimate, its Amazon Q request, the model serving it
   * and its conversation key (hashed, {@code null}: not sticky).
   */
  public record Prepared(Conversation conversation, int inputTokens, QRequest request, ModelChoice model,
                         String conversationKey) {}

  private final AmazonQRequestBuilder builder;
  private final TokenCounter tokens;
  private final ChatExchange exchange;
  private final int contextTokenLimit;
  private final BodyWork bodyWork;
  private final Supplier<ModelDirectory> directory;
  private final boolean modelFallback;

  /** @param contextTokenLimit local prompt-size limit in estimated tokens, 0 = no local check */
  public ChatPipeline(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit,
      BodyWork bodyWork) {
    this(builder, tokens, exchange, contextTokenLimit, bodyWork, ChatPipeline::staticDirectory, true);
  }

  /**
   * @param contextTokenLimit caps every model's context window in the local check (CONTEXT_TOKEN_LIMIT), 0 = no local check
   * @param directory         the current union of the accounts' catalogs (thread-safe supplier: prepare may run on a worker)
   * @param modelFallback     MODEL_FALLBACK: serve the closest available model, or refuse with 404 naming the available ones
   */
  public ChatPipeline(AmazonQRequestBuilder builder, TokenCounter tokens, ChatExchange exchange, int contextTokenLimit,
      BodyWork bodyWork, Supplier<ModelDirectory> directory, boolean modelFallback) {
    this.builder = builder;
    this.tokens = tokens;
    this.exchange = exchange;
    this.contextTokenLimit = contextTokenLimit;
    this.bodyWork = bodyWork;
    this.directory = directory;
    this.modelFallback = modelFallback;
  }

  /** The static model list as a directory: what is served until an account's catalog is known. */
  public static ModelDirectory staticDirectory() {
    return STATIC;
  }

  private static final ModelDirectory STATIC = ModelDirectory.union(java.util.List.of(),
      ModelCatalog.ofIds(ModelMapper.Q_MODELS, DEFAULT_CONTEXT_WINDOW, 0));

  public ModelDirectory directory() {
    return directory.get();
  }

  public TokenCounter tokens() { return tokens; }

  /**
   * Applies {@code parse} to the body as a JSON object (400 when it is not one), off the event loop
   * when the body is large; {@code parse} may run on a worker thread, so it must only touch its
   * argument and thread-safe state (it typically ends with {@link #prepare}). The future completes
   * on the event loop.
   */
  public <T> Future<T> parse(RoutingContext ctx, Function<JsonObject, T> parse) {
    return bodyWork.run(ctx, body -> parse.apply(Bodies.jsonObject(body)));
  }

  /**
   * Runs {@code job}, whose cost grows with {@code bytes} of request data, where it cannot stall
   * the event loop (see {@link BodyWork}); for work beyond parsing the body, e.g. preparing a
   * conversation that continues a stored one. The future completes on the event loop.
   */
  public <T> Future<T> work(long bytes, Supplier<T> job) {
    return bodyWork.run(bytes, job);
  }

  /** As {@link #prepare(Conversation, String, TooLong)} without a conversation key. */
  public Prepared prepare(Conversation conversation, TooLong tooLong) {
    return prepare(conversation, null, tooLong);
  }

  /**
   * Resolves the model against the accounts' catalogs (exact, else the closest of the family when
   * MODEL_FALLBACK is on, else 404 naming the available models), checks the prompt estimate against
   * the model's window capped by CONTEXT_TOKEN_LIMIT (a local 400, no upstream call), builds the
   * Amazon Q request. Thread-safe.
   *
   * @param conversationKey hashed conversation key ({@code routing.ConversationKeys}), {@code null}: not sticky
   * @param tooLong         the API's own "prompt too long" wording, which clients recognise and answer by compacting
   */
  public Prepared prepare(Conversation conversation, String conversationKey, TooLong tooLong) {
    ModelChoice model = choose(conversation.clientModel(), conversation.modelId());
    if (!model.modelId().equals(conversation.modelId())) {
      conversation = new Conversation(conversation.clientModel(), model.modelId(), conversation.system(),
          conversation.messages(), conversation.tools(), conversation.thinking(), conversation.thinkingBudget());
    }
    int inputTokens = InputTokenEstimator.estimate(conversation, tokens);
    int limit = contextTokenLimit > 0 ? Math.min(contextTokenLimit, model.contextWindow()) : 0;
    if (limit > 0 && inputTokens > limit) throw GatewayException.badRequest(tooLong.message(inputTokens, limit));
    return new Prepared(conversation, inputTokens, builder.build(conversation), model, conversationKey);
  }

  private ModelChoice choose(String clientModel, String parsedModelId) {
    ModelDirectory d = directory.get();
    ModelMapper.Resolution r = ModelMapper.resolve(clientModel, d.ids(), ModelMapper.DEFAULT_MODEL);
    if (r.modelId() == null) return new ModelChoice(parsedModelId, false, DEFAULT_CONTEXT_WINDOW, 0);
    if (!r.exact() && !modelFallback) {
      throw GatewayException.notFound("The model '" + clientModel + "' is not available; available models: "
          + String.join(", ", d.ids()));
    }
    ModelInfo info = d.get(r.modelId());
    int window = info != null && info.contextWindow() > 0 ? info.contextWindow() : DEFAULT_CONTEXT_WINDOW;
    return new ModelChoice(r.modelId(), !r.exact(), window, info == null ? 0 : info.maxOutput());
  }

  public int contextTokenLimit() { return contextTokenLimit; }

  /** Runs the exchange; a fallback model is named in {@code x-qbridge-model}. */
  public void run(RoutingContext ctx, Prepared prepared, Supplier<ResponseWriter> writerFactory) {
    run(ctx, prepared, null, writerFactory);
  }

  /**
   * As {@link #run(RoutingContext, Prepared, Supplier)}, binding {@code followUpKey} (hashed;
   * {@code null}: none) to the account that serves the request: the key a request continuing this
   * answer will carry (the Responses API's new response id).
   */
  public void run(RoutingContext ctx, Prepared prepared, String followUpKey, Supplier<ResponseWriter> writerFactory) {
    RequestFacts.of(ctx).prepared(prepared.model().modelId(), prepared.inputTokens());
    if (prepared.model().fallback()) ctx.response().putHeader(MODEL_HEADER, prepared.model().modelId());
    exchange.run(ctx, prepared.request().body(),
        new ChatExchange.Route(prepared.model().modelId(), prepared.conversationKey(), followUpKey), writerFactory);
  }

  /** Response header naming the model that served a request when it is not the one asked for. */
  public static final String MODEL_HEADER = "x-qbridge-model";
}
