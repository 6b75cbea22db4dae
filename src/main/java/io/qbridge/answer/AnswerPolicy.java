package io.qbridge.answer;

import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import java.util.List;

/**
 * What one request asks of its answer, whatever API it came from.
 *
 * @param inputTokens   the prompt estimate, reported unless Amazon Q tells its own context usage
 * @param tokens        the counter for completion tokens (same tokenizer and multiplier as usage)
 * @param thinking      whether the client asked for thinking: only then do {@code <thinking>} tags split
 * @param maxTokens     the client's output limit, enforced locally (Amazon Q has none); 0 = none
 * @param stopSequences the client's stop sequences, enforced locally on answer text
 * @param toolNames     maps Amazon Q's tool names back to the client's
 */
public record AnswerPolicy(int inputTokens, TokenCounter tokens, boolean thinking, int maxTokens,
                           List<String> stopSequences, ToolNames toolNames) {

  public AnswerPolicy {
    stopSequences = stopSequences == null ? List.of() : stopSequences;
    toolNames = toolNames == null ? ToolNames.none() : toolNames;
  }
}
