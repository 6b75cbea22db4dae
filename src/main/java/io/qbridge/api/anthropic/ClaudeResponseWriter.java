package io.qbridge.api.anthropic;

import io.qbridge.convert.TokenCounter;
import io.qbridge.convert.ToolNames;
import io.qbridge.relay.ResponseWriter;
import io.qbridge.relay.Sse;
import io.qbridge.relay.SseOutput;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;

/** Anthropic Messages response writer: SSE events when streaming, one JSON message otherwise. */
final class ClaudeResponseWriter implements ResponseWriter {

  private final HttpServerResponse response;
  private final boolean streaming;
  private final ClaudeTranslator translator;
  private final ClaudeMessageAccumulator accumulator;
  private final SseOutput out;

  ClaudeResponseWriter(HttpServerResponse response, boolean streaming, String messageId, String model,
                       int inputTokens, TokenCounter tokens, boolean thinking, ToolNames toolNames,
                       int maxTokens, List<String> stopSequences) {
    this.response = response;
    this.streaming = streaming;
    this.accumulator = streaming ? null : new ClaudeMessageAccumulator();
    this.out = new SseOutput(response);
    this.translator = new ClaudeTranslator(messageId, model, inputTokens, tokens, thinking, toolNames,
        maxTokens, stopSequences, streaming ? (event, data) -> out.write(Sse.event(event, data)) : accumulator);
    if (!streaming) translator.start();
  }

  @Override public boolean streaming() { return streaming; }

  @Override public void commit() {
    Sse.prepare(response);
    translator.start();
  }

  @Override public void onEvent(QEvent event) { translator.onEvent(event); }

  @Override public void end() {
    translator.finish();
    if (streaming) {
      out.end();
    } else {
      response.setStatusCode(200).putHeader("content-type", "application/json").end(accumulator.message().toBuffer());
    }
  }

  @Override public void failAfterCommit(UpstreamError error) {
    translator.fail(error);
    out.end();
  }

  @Override public void keepAlive() {
    translator.ping();
    out.flush();
  }

  @Override public void flush() { out.flush(); }

  @Override public void markTruncated() { translator.markTruncated(); }

  @Override public boolean hasContent() { return translator.hasContent(); }

  @Override public boolean finishedLocally() { return translator.finishedLocally(); }

  @Override public int outputTokens() { return translator.outputTokens(); }
}
