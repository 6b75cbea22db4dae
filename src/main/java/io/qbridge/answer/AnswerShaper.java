package io.qbridge.answer;

import io.qbridge.convert.OutputTokenBudget;
import io.qbridge.convert.StopSequenceMatcher;
import io.qbridge.convert.ThinkingSplitter;
import io.qbridge.upstream.QEvent;
import java.util.HashSet;
import java.util.Set;

/**
 * The one answer policy: turns Amazon Q's events into neutral answer events for an
 * {@link AnswerSink}, applying everything Amazon Q cannot do for the client, in this order:
 *
 * <ol>
 *   <li>thinking split: {@code <thinking>} text becomes thinking deltas (when asked for);</li>
 *   <li>stop sequences, on answer text only: the answer ends just before the first match;</li>
 *   <li>{@code max_tokens} over text, thinking and tool arguments, each part counted apart
 *       (a token never spans two parts);</li>
 *   <li>tool de-duplication: events for a tool call that already stopped are dropped (§3.4);</li>
 *   <li>usage: Amazon Q's {@code contextUsagePercentage} turned into prompt tokens.</li>
 * </ol>
 *
 * Once a stop sequence or the token limit ends the answer, {@link #finishedLocally()} turns true and
 * later events are ignored. Every API front end builds its response from these events, so the
 * policy lives here only. Not thread-safe; one per response, on the request's event loop.
 */
public final class AnswerShaper {

  /**
   * Context window behind {@code contextUsagePercentage} when the model's is unknown; otherwise
   * the serving model's window ({@link AnswerPolicy#contextWindow()}) turns it into prompt tokens.
   */
  public static final int CONTEXT_WINDOW_TOKENS = 200_000;

  private enum Part { NONE, TEXT, THINKING, TOOL }

  private final AnswerPolicy policy;
  private final AnswerSink sink;
  private final ThinkingSplitter splitter;
  private final StopSequenceMatcher stops;
  private final OutputTokenBudget budget;
  private final Set<String> finishedTools = new HashSet<>();
  private int reasoningRaw; // raw tokens of finished thinking parts, as the budget counted them

  private Part budgetPart = Part.NONE;
  private String openToolId;
  private boolean anyTool;
  private boolean sawContent;
  private boolean truncated;
  private double contextUsagePercent = -1;

  public AnswerShaper(AnswerPolicy policy, AnswerSink sink) {
    this.policy = policy;
    this.sink = sink;
    this.splitter = policy.thinking() ? new ThinkingSplitter(this::onSegment) : null;
    this.stops = new StopSequenceMatcher(policy.stopSequences());
    this.budget = new OutputTokenBudget(policy.tokens(), policy.maxTokens());
  }

  /** Shapes one upstream event; events other than text, tool use and context usage are ignored. */
  public void onEvent(QEvent event) {
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
      if (!finishedLocally()) onToolUse(u);
    } else if (event instanceof QEvent.ContextUsage c) {
      contextUsagePercent = c.percentage();
    }
  }

  /** The upstream cut the answer at its own output limit: the stop will say {@code MAX_TOKENS}. */
  public void markTruncated() {
    truncated = true;
  }

  /** True once a stop sequence matched or {@code max_tokens} was reached: the answer is complete. */
  /** Output tokens so far (text, thinking, tool input), as counted against max_tokens and reported in usage. */
  public int outputTokens() { return budget.usedTokens(); }

  public boolean finishedLocally() {
    return stops.matched() || budget.exhausted();
  }

  /** Whether the upstream produced any content (text, thinking or a tool call), even if cut away. */
  public boolean hasContent() {
    return sawContent;
  }

  /** Normal end: releases held-back text, closes an open tool call, then sends the stop. */
  public void finish() {
    endText();
    closeTool();
    int reasoning = reasoningRaw + (budgetPart == Part.THINKING ? budget.currentPartRaw() : 0);
    sink.stop(stop(), new Usage(inputTokens(), budget.usedTokens(), policy.tokens().scale(reasoning)));
  }

  private Stop stop() {
    if (stops.matched()) return new Stop(Stop.Reason.STOP_SEQUENCE, stops.matchedSequence());
    if (budget.exhausted() || truncated) return new Stop(Stop.Reason.MAX_TOKENS, null);
    return new Stop(anyTool ? Stop.Reason.TOOL_USE : Stop.Reason.END_TURN, null);
  }

  /** The estimate, or Amazon Q's own context usage when it reported one (more exact). */
  private int inputTokens() {
    if (contextUsagePercent <= 0) return policy.inputTokens();
    return (int) Math.round(contextUsagePercent * policy.contextWindow() / 100.0);
  }

  // ---------------------------------------------------------------- text and thinking

  /** Text is interrupted (tool call) or over: what the splitter and the stop matcher held back is plain text. */
  private void endText() {
    if (splitter != null) splitter.flush();
    if (!finishedLocally()) emitText(stops.flush());
  }

  private void onSegment(boolean thinking, String text) {
    if (finishedLocally()) return;
    if (thinking) {
      String fits = withinBudget(Part.THINKING, text);
      if (fits.isEmpty()) return;
      closeTool();
      sink.thinking(fits);
    } else {
      emitText(stops.accept(text));
    }
  }

  private void emitText(String text) {
    String fits = withinBudget(Part.TEXT, text);
    if (fits.isEmpty()) return;
    closeTool();
    sink.text(fits);
  }

  // ---------------------------------------------------------------- tools

  private void onToolUse(QEvent.ToolUse u) {
    String id = u.toolUseId();
    if (finishedTools.contains(id)) return; // duplicate events after stop are tolerated (§3.4)
    if (!id.equals(openToolId)) {
      closeTool();
      openToolId = id;
      anyTool = true;
      endBudgetPart(); // each call's arguments are counted on their own
      sink.toolStart(id, u.name() == null ? "" : policy.toolNames().toClient(u.name()));
    }
    String input = u.input() == null ? "" : withinBudget(Part.TOOL, u.input());
    if (!input.isEmpty()) sink.toolArguments(input);
    if (u.stop()) {
      finishedTools.add(id);
      closeTool();
    }
  }

  private void closeTool() {
    if (openToolId == null) return;
    openToolId = null;
    sink.toolEnd();
  }

  /** Ends the budget's current part; a thinking part's tokens are kept as reasoning tokens. */
  private void endBudgetPart() {
    int raw = budget.boundary();
    if (budgetPart == Part.THINKING) reasoningRaw += raw;
    budgetPart = Part.NONE;
  }

  /** The leading part of {@code text} that fits {@code max_tokens}; parts count apart. */
  private String withinBudget(Part kind, String text) {
    if (text.isEmpty()) return text;
    if (budgetPart != kind) {
      endBudgetPart();
      budgetPart = kind;
    }
    int n = budget.take(text);
    return n == text.length() ? text : text.substring(0, n);
  }
}
