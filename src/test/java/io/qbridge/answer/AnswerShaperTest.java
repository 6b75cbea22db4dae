package io.qbridge.answer;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.upstream.QEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The answer policy in neutral terms, once for every API. */
class AnswerShaperTest {

  final List<String> events = new ArrayList<>();
  Usage usage;

  final AnswerSink recorder = new AnswerSink() {
    @Override public void text(String delta) { events.add("text:" + delta); }
    @Override public void thinking(String delta) { events.add("thinking:" + delta); }
    @Override public void toolStart(String id, String name) { events.add("toolStart:" + id + ":" + name); }
    @Override public void toolArguments(String delta) { events.add("args:" + delta); }
    @Override public void toolEnd() { events.add("toolEnd"); }
    @Override public void stop(Stop stop, Usage u) {
      usage = u;
      events.add("stop:" + stop.reason() + (stop.sequence() == null ? "" : ":" + stop.sequence()));
    }
  };

  AnswerShaper shaper(boolean thinking, int maxTokens, List<String> stops) {
    return new AnswerShaper(new AnswerPolicy(7, new TokenCounter(1.0), thinking, maxTokens, stops, ToolNames.none()), recorder);
  }

  @Test
  void thinkingTextAndToolsInOrderWithBracketedToolCalls() {
    AnswerShaper s = shaper(true, 0, List.of());
    s.onEvent(new QEvent.Text("<thinking>hm</thinking>Hi"));
    s.onEvent(new QEvent.ToolUse("A", "f", "{\"x\":", false));
    s.onEvent(new QEvent.ToolUse("A", "f", "1}", true));
    s.onEvent(new QEvent.ToolUse("A", "f", "{}", true)); // duplicate after stop (§3.4)
    s.onEvent(new QEvent.ToolUse("B", "g", null, false));
    s.finish(); // B never stopped: closed at the end
    assertThat(events).containsExactly("thinking:hm", "text:Hi", "toolStart:A:f", "args:{\"x\":", "args:1}", "toolEnd",
        "toolStart:B:g", "toolEnd", "stop:TOOL_USE");
    assertThat(usage.inputTokens()).isEqualTo(7);
    assertThat(usage.reasoningTokens()).isEqualTo(TokenCounter.raw("hm"));
    assertThat(s.hasContent()).isTrue();
  }

  @Test
  void reasoningTokensAreTheThinkingPartsAsTheBudgetCountedThem() {
    AnswerShaper s = shaper(true, 0, List.of());
    s.onEvent(new QEvent.Text("<thinking>first thought here</thinking>"));
    s.onEvent(new QEvent.ToolUse("A", "f", "{}", true)); // a tool call between two thinking parts
    s.onEvent(new QEvent.Text("<thinking>second one</thinking>Done"));
    s.onEvent(new QEvent.Text("<thinking>last, still open at the end"));
    s.finish();
    int thinking = TokenCounter.raw("first thought here") + TokenCounter.raw("second one")
        + TokenCounter.raw("last, still open at the end");
    assertThat(usage.reasoningTokens()).isEqualTo(thinking);
    assertThat(usage.outputTokens()).isEqualTo(thinking + TokenCounter.raw("{}") + TokenCounter.raw("Done"));
  }

  @Test
  void textInterruptingAToolCallClosesIt() {
    AnswerShaper s = shaper(false, 0, List.of());
    s.onEvent(new QEvent.ToolUse("A", "f", "{", false));
    s.onEvent(new QEvent.Text("between"));
    s.finish();
    assertThat(events).containsExactly("toolStart:A:f", "args:{", "toolEnd", "text:between", "stop:TOOL_USE");
  }

  @Test
  void stopSequenceEndsTheAnswerAndNamesTheSequence() {
    AnswerShaper s = shaper(false, 0, List.of("END"));
    s.onEvent(new QEvent.Text("one EN"));
    s.onEvent(new QEvent.Text("D two"));
    assertThat(s.finishedLocally()).isTrue();
    s.onEvent(new QEvent.ToolUse("A", "f", "{}", true)); // ignored: the answer is over
    s.finish();
    assertThat(events).containsExactly("text:one ", "stop:STOP_SEQUENCE:END");
  }

  @Test
  void tokenLimitAndUpstreamTruncationAreMaxTokens() {
    AnswerShaper s = shaper(false, 2, List.of());
    s.onEvent(new QEvent.Text("one two three"));
    assertThat(s.finishedLocally()).isTrue();
    s.finish();
    assertThat(events).containsExactly("text:one two", "stop:MAX_TOKENS");
    assertThat(usage.outputTokens()).isEqualTo(2);

    events.clear();
    AnswerShaper t = shaper(false, 0, List.of());
    t.onEvent(new QEvent.Text("partial"));
    t.markTruncated();
    t.finish();
    assertThat(events).containsExactly("text:partial", "stop:MAX_TOKENS");
  }

  @Test
  void contextUsageBecomesPromptTokensAndEmptyAnswersHaveNoContent() {
    AnswerShaper s = shaper(false, 0, List.of());
    s.onEvent(new QEvent.Text(""));
    s.onEvent(new QEvent.ContextUsage(1.5));
    assertThat(s.hasContent()).isFalse();
    s.finish();
    assertThat(events).containsExactly("stop:END_TURN");
    assertThat(usage.inputTokens()).isEqualTo(AnswerShaper.CONTEXT_WINDOW_TOKENS * 15 / 1000);
  }
}
