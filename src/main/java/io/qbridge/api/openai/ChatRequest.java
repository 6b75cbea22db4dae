package io.qbridge.api.openai;

import io.qbridge.convert.Conversation;
import java.util.List;

/**
 * A parsed Chat Completions request: the API-neutral conversation for Amazon Q plus what qbridge
 * applies itself on the way back, because Amazon Q has no such parameters.
 *
 * @param conversation  what goes upstream
 * @param stream        SSE chunks instead of one {@code chat.completion}
 * @param includeUsage  {@code stream_options.include_usage}: a final usage chunk when streaming
 * @param maxTokens     local output limit in tokens, 0 = none
 * @param stop          local stop sequences, possibly empty
 */
record ChatRequest(Conversation conversation, boolean stream, boolean includeUsage, int maxTokens, List<String> stop) {

  ChatRequest {
    stop = List.copyOf(stop);
  }
}
