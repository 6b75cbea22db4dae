package io.qbridge.api.openai;

import io.qbridge.convert.OutputTokenBudget;
import io.qbridge.convert.StopSequenceMatcher;
import io.qbridge.convert.ThinkingSplitter;
import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Translates Amazon Q events into {@code chat.completion.chunk} objects as OpenAI streams them
 * (protocol doc §8.2, "better mapping"): the role first, content deltas, {@code tool_calls} deltas
 * ({@code index}, {@code id}, {@code type}, {@code function.name} first, {@code arguments}
 * fragments after), a final chunk with {@code finish_reason}, and an optional usage chunk with no
 * choices. Reasoning (when requested) becomes {@code reasoning_content}, never content.
 *
 * <p>It also applies what Amazon Q cannot: stop sequences (on content only) and the
 * {@code max_tokens} limit (on content, reasoning and tool arguments together); once either hits,
 * {@link #finishedLocally()} turns true and later events are ignored.
 *
 * <p>Chunks go to a sink: an SSE writer, or {@link ChatCompletionAccumulator} for the
 * non-streaming response, so both modes come from one state machine. Not thread-safe; one per request.
 */
final class ChatCompletionTranslator {

  /** Approximate context window used to turn {@code contextUsagePercentage} into tokens (as on the Claude path). */
  static final int CONTEXT_WINDOW_TOKENS = 200_000;

  /** What the identifying fields of every chunk say. */
  record Header(String id, long created, String model) {}

  private enum Part { NONE, CONTENT, REASONING, TOOL }

  private final Header header;
  private final int promptTokens;
  private final boolean includeUsage;
  private final TokenCounter tokens;
  private final ToolNames toolNames;
  private final Consumer<JsonObject> sink;
  private final ThinkingSplitter splitter;
  private final StopSequenceMatcher stops;
  private final OutputTokenBudget budget;

  private boolean roleSent;
  private boolean sawContent;
  private boolean truncatedUpstream;
  private int toolIndex = -1;
  private String openToolId;
  private final Set<String> finishedTools = new HashSet<>();
  private Part part = Part.NONE;
  private final StringBuilder reasoning = new StringBuilder();
  private double contextUsagePercent = -1;

  /**
   * @param reasoning    split {@code <thinking>} text into {@code reasoning_content}; otherwise tags stay content
   * @param includeUsage add {@code "usage":null} to every chunk and a usage chunk at the end
   */
  ChatCompletionTranslator(Header header, int promptTokens, boolean includeUsage, boolean reasoning, List<String> stop,
                           int maxTokens, TokenCounter tokens, ToolNames toolNames, Consumer<JsonObject> sink) {
    this.header = header;
    this.promptTokens = promptTokens;
    this.includeUsage = includeUsage;
    this.tokens = tokens;
    this.toolNames = toolNames;
    this.sink = sink;
    this.splitter = reasoning ? new ThinkingSplitter(this::onSegment) : null;
    this.stops = new StopSequenceMatcher(stop);
    this.budget = new OutputTokenBudget(tokens, maxTokens);
  }

  boolean hasContent() { return sawContent; }

  /** A stop sequence or the token limit ended the answer here; the rest of the upstream is not wanted. */
  boolean finishedLocally() {
    return stops.matched() || budget.exhausted();
  }

  /** The upstream cut the answer at its own output limit: finish with {@code length}. */
  void markTruncated() {
    truncatedUpstream = true;
  }

  void onEvent(QEvent event) {
    if (finishedLocally()) return;
    if (event instanceof QEvent.Text t) {
      if (t.content().isEmpty()) return;
      sawContent = true;
      if (splitter != null) splitter.accept(t.content());
      else onSegment(false, t.content());
    } else if (event instanceof QEvent.ToolUse u) {
      if (u.toolUseId() == null) return;
      sawContent = true;
      endText();
      onToolUse(u);
    } else if (event instanceof QEvent.ContextUsage c) {
      contextUsagePercent = c.percentage();
    }
  }

  /** Normal end: release held-back text, then the finish chunk and (if asked) the usage chunk. */
  void finish() {
    endText();
    if (!roleSent) emitRoleChunk();
    String reason = budget.exhausted() || truncatedUpstream ? "length" : toolIndex >= 0 ? "tool_calls" : "stop";
    sink.accept(chunk(new JsonObject(), reason));
    if (includeUsage) {
      JsonObject usageChunk = head().put("choices", new JsonArray()).put("usage", usage());
      sink.accept(usageChunk);
    }
  }

  JsonObject usage() {
    int prompt = finalPromptTokens();
    int completion = budget.usedTokens();
    return new JsonObject()
        .put("prompt_tokens", prompt)
        .put("completion_tokens", completion)
        .put("total_tokens", prompt + completion)
        .put("prompt_tokens_details", new JsonObject().put("cached_tokens", 0))
        .put("completion_tokens_details", new JsonObject().put("reasoning_tokens", tokens.count(reasoning.toString())));
  }

  /** The estimate, or Amazon Q's own context usage when it reported one (more exact). */
  int completionTokens() {
    return budget.usedTokens();
  }

  int finalPromptTokens() {
    if (contextUsagePercent <= 0) return promptTokens;
    return (int) Math.round(contextUsagePercent * CONTEXT_WINDOW_TOKENS / 100.0);
  }

  // ---------------------------------------------------------------- content

  /** Text is interrupted (tool call) or over: what the splitter and the stop matcher held back is plain text. */
  private void endText() {
    if (splitter != null) splitter.flush();
    if (!finishedLocally()) emitContent(stops.flush());
  }

  private void onSegment(boolean thinking, String text) {
    if (finishedLocally()) return;
    if (thinking) {
      String fits = withinBudget(Part.REASONING, text);
      if (fits.isEmpty()) return;
      reasoning.append(fits);
      emit(new JsonObject().put("reasoning_content", fits));
    } else {
      emitContent(stops.accept(text));
    }
  }

  private void emitContent(String text) {
    String fits = withinBudget(Part.CONTENT, text);
    if (!fits.isEmpty()) emit(new JsonObject().put("content", fits));
  }

  private void onToolUse(QEvent.ToolUse u) {
    String id = u.toolUseId();
    if (finishedTools.contains(id)) return; // duplicate events after stop are tolerated (§3.4)
    if (!id.equals(openToolId)) {
      openToolId = id;
      toolIndex++;
      part = Part.NONE; // each call's arguments are counted on their own
      emit(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
          .put("index", toolIndex).put("id", id).put("type", "function")
          .put("function", new JsonObject().put("name", u.name() == null ? "" : toolNames.toClient(u.name())).put("arguments", "")))));
    }
    if (u.input() != null && !u.input().isEmpty()) {
      String fits = withinBudget(Part.TOOL, u.input());
      if (!fits.isEmpty()) {
        emit(new JsonObject().put("tool_calls", new JsonArray().add(new JsonObject()
            .put("index", toolIndex).put("function", new JsonObject().put("arguments", fits)))));
      }
    }
    if (u.stop()) {
      finishedTools.add(id);
      openToolId = null;
    }
  }

  /** The leading part of {@code text} that fits {@code max_tokens}. */
  private String withinBudget(Part kind, String text) {
    if (text.isEmpty()) return text;
    if (part != kind) {
      budget.boundary();
      part = kind;
    }
    int n = budget.take(text);
    return n == text.length() ? text : text.substring(0, n);
  }

  // ---------------------------------------------------------------- chunks

  /**
   * OpenAI opens with the role: a chunk of its own ({@code content: ""}) before text, or on the
   * first tool call's chunk ({@code content: null}) when the answer starts with a tool call.
   */
  private void emit(JsonObject delta) {
    if (!roleSent) {
      if (delta.containsKey("tool_calls")) {
        roleSent = true;
        delta = new JsonObject().put("role", "assistant").putNull("content").put("tool_calls", delta.getValue("tool_calls")).putNull("refusal");
      } else {
        emitRoleChunk();
      }
    }
    sink.accept(chunk(delta, null));
  }

  private void emitRoleChunk() {
    roleSent = true;
    sink.accept(chunk(new JsonObject().put("role", "assistant").put("content", "").putNull("refusal"), null));
  }

  private JsonObject chunk(JsonObject delta, String finishReason) {
    JsonObject choice = new JsonObject().put("index", 0).put("delta", delta).putNull("logprobs").put("finish_reason", finishReason);
    JsonObject chunk = head().put("choices", new JsonArray().add(choice));
    if (includeUsage) chunk.putNull("usage");
    return chunk;
  }

  private JsonObject head() {
    return new JsonObject().put("id", header.id()).put("object", "chat.completion.chunk")
        .put("created", header.created()).put("model", header.model());
  }
}
