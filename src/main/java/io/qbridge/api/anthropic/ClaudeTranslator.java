package io.qbridge.api.anthropic;

import io.qbridge.convert.OutputTokenBudget;
import io.qbridge.convert.StopSequenceMatcher;
import io.qbridge.convert.ThinkingSplitter;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Translates Amazon Q events into the Anthropic Messages streaming event sequence (protocol doc
 * §8.1): {@code message_start}, {@code ping}, content blocks (text, tool_use) with their deltas,
 * {@code message_delta} with stop reason and usage, {@code message_stop}. The events go to a sink:
 * an SSE writer for streaming, or {@link ClaudeMessageAccumulator} for a single JSON message, so
 * both response modes come from one state machine. Not thread-safe; one per request.
 */
final class ClaudeTranslator {

  private enum Block { NONE, TEXT, THINKING, TOOL }

  /** Approximate context window used to turn {@code contextUsagePercentage} into tokens. */
  static final int CONTEXT_WINDOW_TOKENS = 200_000;

  private final String messageId;
  private final String model;
  private final int inputTokens;
  private final BiConsumer<String, JsonObject> sink;
  private final ToolNames toolNames;

  private int index = -1;
  private Block open = Block.NONE;
  private String openToolId;
  private final Set<String> finishedTools = new HashSet<>();
  private boolean anyTool;
  private boolean content;
  private final StringBuilder thinkingText = new StringBuilder();
  private final OutputTokenBudget budget;
  private final StopSequenceMatcher stops;
  private Block budgetPart = Block.NONE;
  private final ThinkingSplitter splitter;
  private double contextUsagePercent = -1;
  private boolean truncated;

  ClaudeTranslator(String messageId, String model, int inputTokens, TokenCounter tokens, BiConsumer<String, JsonObject> sink) {
    this(messageId, model, inputTokens, tokens, false, ToolNames.none(), 0, List.of(), sink);
  }

  /**
   * @param thinking      whether the client asked for thinking: only then do tags become thinking blocks
   * @param maxTokens     the client's {@code max_tokens}, enforced here (Amazon Q has no such field); 0 = none
   * @param stopSequences the client's {@code stop_sequences}, enforced here on answer text
   */
  ClaudeTranslator(String messageId, String model, int inputTokens, TokenCounter tokens, boolean thinking,
                   ToolNames toolNames, int maxTokens, List<String> stopSequences, BiConsumer<String, JsonObject> sink) {
    this.toolNames = toolNames;
    this.budget = new OutputTokenBudget(tokens, maxTokens);
    this.stops = new StopSequenceMatcher(stopSequences);
    this.messageId = messageId;
    this.model = model;
    this.inputTokens = inputTokens;
    this.sink = sink;
    this.splitter = thinking ? new ThinkingSplitter(this::onSegment) : null;
  }

  void start() {
    JsonObject message = new JsonObject()
        .put("id", messageId).put("type", "message").put("role", "assistant")
        .put("content", new io.vertx.core.json.JsonArray()).put("model", model)
        .putNull("stop_reason").putNull("stop_sequence")
        .put("usage", new JsonObject().put("input_tokens", inputTokens).put("output_tokens", 0));
    sink.accept("message_start", new JsonObject().put("type", "message_start").put("message", message));
    ping();
  }

  void ping() {
    sink.accept("ping", new JsonObject().put("type", "ping"));
  }

  boolean hasContent() { return content; }

  void onEvent(QEvent event) {
    if (finishedLocally()) return;
    if (event instanceof QEvent.Text t) {
      if (t.content().isEmpty()) return;
      if (splitter != null) splitter.accept(t.content());
      else onSegment(false, t.content());
    } else if (event instanceof QEvent.ToolUse u) {
      if (splitter != null) splitter.flush();
      releaseHeldText();
      if (!finishedLocally()) onToolUse(u);
    } else if (event instanceof QEvent.ContextUsage c) {
      contextUsagePercent = c.percentage();
    }
  }

  /** The upstream cut the answer at its output limit: finish with stop_reason max_tokens. */
  void markTruncated() {
    truncated = true;
  }

  /** True once a stop sequence matched or max_tokens was reached: the answer is complete. */
  boolean finishedLocally() {
    return stops.matched() || budget.exhausted();
  }

  private void onSegment(boolean thinking, String text) {
    if (finishedLocally()) return;
    emitSegment(thinking, thinking ? text : stops.accept(text));
  }

  /** Text the stop matcher held back as a possible partial match turned out to be plain text. */
  private void releaseHeldText() {
    if (!finishedLocally()) emitSegment(false, stops.flush());
  }

  private void emitSegment(boolean thinking, String text) {
    text = withinBudget(thinking ? Block.THINKING : Block.TEXT, text);
    if (text.isEmpty()) return;
    Block wanted = thinking ? Block.THINKING : Block.TEXT;
    if (open != wanted && open != Block.NONE) closeBlock();
    if (open == Block.NONE) {
      openBlock(wanted, thinking ? new JsonObject().put("type", "thinking").put("thinking", "")
          : new JsonObject().put("type", "text").put("text", ""));
    }
    content = true;
    if (thinking) {
      thinkingText.append(text);
      delta(new JsonObject().put("type", "thinking_delta").put("thinking", text));
    } else {
      delta(new JsonObject().put("type", "text_delta").put("text", text));
    }
  }

  private void onToolUse(QEvent.ToolUse u) {
    String id = u.toolUseId();
    if (id == null || finishedTools.contains(id)) return; // duplicate events after stop are tolerated (§3.4)
    if (open != Block.TOOL || !id.equals(openToolId)) {
      if (open != Block.NONE) closeBlock();
      openToolId = id;
      anyTool = true;
      budgetPart = Block.NONE; // each tool's arguments are a part of their own
      openBlock(Block.TOOL, new JsonObject().put("type", "tool_use").put("id", id)
          .put("name", u.name() == null ? "" : toolNames.toClient(u.name())).put("input", new JsonObject()));
    }
    content = true;
    String input = u.input() == null ? "" : withinBudget(Block.TOOL, u.input());
    if (!input.isEmpty()) {
      delta(new JsonObject().put("type", "input_json_delta").put("partial_json", input));
    }
    if (u.stop()) {
      finishedTools.add(id);
      closeBlock();
    }
  }

  /** Normal end: close the open block, then message_delta and message_stop. */
  void finish() {
    if (splitter != null) splitter.flush();
    releaseHeldText();
    if (open != Block.NONE) closeBlock();
    String stopReason = stops.matched() ? "stop_sequence"
        : budget.exhausted() || truncated ? "max_tokens" : anyTool ? "tool_use" : "end_turn";
    sink.accept("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).put("stop_sequence", stops.matchedSequence()))
        .put("usage", new JsonObject().put("input_tokens", finalInputTokens()).put("output_tokens", outputTokens())));
    sink.accept("message_stop", new JsonObject().put("type", "message_stop"));
  }

  /** In-stream failure after the response started: an Anthropic {@code error} event. */
  void fail(UpstreamError error) {
    if (open != Block.NONE) closeBlock();
    sink.accept("error", new JsonObject().put("type", "error")
        .put("error", new JsonObject().put("type", error.type().anthropic()).put("message", error.getMessage())));
  }

  /** The estimate, or Amazon Q's own context usage when it reported one (more exact). */
  int finalInputTokens() {
    if (contextUsagePercent <= 0) return inputTokens;
    return (int) Math.round(contextUsagePercent * CONTEXT_WINDOW_TOKENS / 100.0);
  }

  int outputTokens() {
    return budget.usedTokens();
  }

  /** What of {@code text} fits max_tokens; parts (answer, thinking, each tool's input) count apart. */
  private String withinBudget(Block part, String text) {
    if (text.isEmpty()) return text;
    if (part != budgetPart) {
      budget.boundary();
      budgetPart = part;
    }
    int n = budget.take(text);
    return n < text.length() ? text.substring(0, n) : text;
  }

  private void openBlock(Block kind, JsonObject contentBlock) {
    index++;
    open = kind;
    sink.accept("content_block_start", new JsonObject().put("type", "content_block_start")
        .put("index", index).put("content_block", contentBlock));
  }

  private void delta(JsonObject delta) {
    sink.accept("content_block_delta", new JsonObject().put("type", "content_block_delta")
        .put("index", index).put("delta", delta));
  }

  private void closeBlock() {
    if (open == Block.THINKING) {
      // clients replay thinking blocks with their signature; ours only has to be stable and opaque
      sink.accept("content_block_delta", new JsonObject().put("type", "content_block_delta").put("index", index)
          .put("delta", new JsonObject().put("type", "signature_delta").put("signature", ThinkingSignature.of(thinkingText))));
      thinkingText.setLength(0);
    }
    sink.accept("content_block_stop", new JsonObject().put("type", "content_block_stop").put("index", index));
    open = Block.NONE;
    openToolId = null;
  }
}
