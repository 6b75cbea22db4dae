package io.qbridge.api.anthropic;

import io.qbridge.convert.ThinkingSplitter;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
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
  private final TokenCounter tokens;
  private final BiConsumer<String, JsonObject> sink;
  private final ToolNames toolNames;

  private int index = -1;
  private Block open = Block.NONE;
  private String openToolId;
  private final Set<String> finishedTools = new HashSet<>();
  private boolean anyTool;
  private boolean content;
  private final StringBuilder outputText = new StringBuilder();
  private final StringBuilder thinkingText = new StringBuilder();
  private final ThinkingSplitter splitter;
  private double contextUsagePercent = -1;
  private boolean truncated;

  ClaudeTranslator(String messageId, String model, int inputTokens, TokenCounter tokens, BiConsumer<String, JsonObject> sink) {
    this(messageId, model, inputTokens, tokens, false, ToolNames.none(), sink);
  }

  /** @param thinking whether the client asked for thinking: only then do tags become thinking blocks */
  ClaudeTranslator(String messageId, String model, int inputTokens, TokenCounter tokens, boolean thinking,
                   ToolNames toolNames, BiConsumer<String, JsonObject> sink) {
    this.toolNames = toolNames;
    this.messageId = messageId;
    this.model = model;
    this.inputTokens = inputTokens;
    this.tokens = tokens;
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
    if (event instanceof QEvent.Text t) {
      if (t.content().isEmpty()) return;
      if (splitter != null) splitter.accept(t.content());
      else onSegment(false, t.content());
    } else if (event instanceof QEvent.ToolUse u) {
      if (splitter != null) splitter.flush();
      onToolUse(u);
    } else if (event instanceof QEvent.ContextUsage c) {
      contextUsagePercent = c.percentage();
    }
  }

  /** The upstream cut the answer at its output limit: finish with stop_reason max_tokens. */
  void markTruncated() {
    truncated = true;
  }

  private void onSegment(boolean thinking, String text) {
    Block wanted = thinking ? Block.THINKING : Block.TEXT;
    if (open != wanted && open != Block.NONE) closeBlock();
    if (open == Block.NONE) {
      openBlock(wanted, thinking ? new JsonObject().put("type", "thinking").put("thinking", "")
          : new JsonObject().put("type", "text").put("text", ""));
    }
    content = true;
    outputText.append(text);
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
      openBlock(Block.TOOL, new JsonObject().put("type", "tool_use").put("id", id)
          .put("name", u.name() == null ? "" : toolNames.toClient(u.name())).put("input", new JsonObject()));
    }
    content = true;
    if (u.input() != null && !u.input().isEmpty()) {
      outputText.append(u.input());
      delta(new JsonObject().put("type", "input_json_delta").put("partial_json", u.input()));
    }
    if (u.stop()) {
      finishedTools.add(id);
      closeBlock();
    }
  }

  /** Normal end: close the open block, then message_delta and message_stop. */
  void finish() {
    if (splitter != null) splitter.flush();
    if (open != Block.NONE) closeBlock();
    String stopReason = truncated ? "max_tokens" : anyTool ? "tool_use" : "end_turn";
    sink.accept("message_delta", new JsonObject().put("type", "message_delta")
        .put("delta", new JsonObject().put("stop_reason", stopReason).putNull("stop_sequence"))
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
    return tokens.count(outputText.toString());
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
