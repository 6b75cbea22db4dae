package io.qbridge.answer;

import io.qbridge.convert.TokenCounter;

/**
 * Token usage of one answer. The reasoning-token count is computed only when an encoder asks for it
 * (OpenAI and Responses report it, Anthropic does not), so the thinking text is tokenized at most
 * once, at the end.
 */
public final class Usage {

  private final int inputTokens;
  private final int outputTokens;
  private final CharSequence reasoning;
  private final TokenCounter tokens;
  private int reasoningTokens = -1;

  Usage(int inputTokens, int outputTokens, CharSequence reasoning, TokenCounter tokens) {
    this.inputTokens = inputTokens;
    this.outputTokens = outputTokens;
    this.reasoning = reasoning;
    this.tokens = tokens;
  }

  /** Prompt tokens: Amazon Q's own context usage when it reported one, else our estimate. */
  public int inputTokens() { return inputTokens; }

  /** Completion tokens (text, thinking and tool arguments), as counted against {@code max_tokens}. */
  public int outputTokens() { return outputTokens; }

  /** The part of {@link #outputTokens()} spent thinking. */
  public int reasoningTokens() {
    if (reasoningTokens < 0) reasoningTokens = reasoning.isEmpty() ? 0 : tokens.count(reasoning.toString());
    return reasoningTokens;
  }
}
