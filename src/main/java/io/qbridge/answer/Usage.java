package io.qbridge.answer;

/**
 * Token usage of one answer, as the answer's token budget counted it while it streamed: no text
 * is tokenized a second time to report it.
 *
 * @param inputTokens     prompt tokens: Amazon Q's own context usage when it reported one, else our estimate
 * @param outputTokens    completion tokens (text, thinking and tool arguments), as counted against {@code max_tokens}
 * @param reasoningTokens the part of {@code outputTokens} spent thinking
 */
public record Usage(int inputTokens, int outputTokens, int reasoningTokens) {}
