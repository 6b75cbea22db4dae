package io.qbridge.convert;

import io.qbridge.convert.Conversation.AssistantMessage;
import io.qbridge.convert.Conversation.Message;
import io.qbridge.convert.Conversation.ToolCall;
import io.qbridge.convert.Conversation.ToolResult;
import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.Conversation.UserMessage;

/**
 * Estimates prompt tokens over everything the model will read: system prompt, tool definitions
 * and every message's text, tool calls and tool results (q2api counted only text, which
 * undercounts agent sessions badly — client-compat §2.1). Images are not counted.
 */
public final class InputTokenEstimator {

  private InputTokenEstimator() {}

  public static int estimate(Conversation c, TokenCounter counter) {
    int raw = TokenCounter.raw(c.system());
    for (ToolSpec t : c.tools()) {
      raw += TokenCounter.raw(t.name()) + TokenCounter.raw(t.description()) + TokenCounter.raw(t.inputSchema().encode());
    }
    for (Message m : c.messages()) {
      if (m instanceof UserMessage u) {
        raw += TokenCounter.raw(u.text());
        for (ToolResult r : u.toolResults()) {
          for (String s : r.content()) raw += TokenCounter.raw(s);
        }
      } else if (m instanceof AssistantMessage a) {
        raw += TokenCounter.raw(a.text());
        for (ToolCall call : a.toolCalls()) raw += TokenCounter.raw(call.name()) + TokenCounter.raw(call.input().encode());
      }
    }
    return counter.scale(raw);
  }
}
