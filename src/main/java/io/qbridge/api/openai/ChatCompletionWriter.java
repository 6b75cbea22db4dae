package io.qbridge.api.openai;

import io.qbridge.relay.ResponseWriter;
import io.qbridge.relay.Sse;
import io.qbridge.relay.SseOutput;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * Chat Completions response writer: {@code data:} chunks ending with {@code data: [DONE]} when
 * streaming, one {@code chat.completion} object otherwise. Keep-alives are SSE comment lines
 * ({@code : ping}), which OpenAI clients skip; an in-stream failure is an error chunk in OpenAI's
 * error shape followed by {@code [DONE]}, which the SDKs raise as an error.
 */
final class ChatCompletionWriter implements ResponseWriter {

  static final String DONE = "[DONE]";

  private final HttpServerResponse response;
  private final boolean streaming;
  private final ChatCompletionTranslator translator;
  private final ChatCompletionAccumulator accumulator;
  private final SseOutput out;

  /**
   * @param translatorFactory builds the translator for a sink and whether it must report usage
   *                          (always for a whole completion, on request for a stream)
   */
  ChatCompletionWriter(HttpServerResponse response, boolean streaming, boolean includeUsage,
                       TranslatorFactory translatorFactory) {
    this.response = response;
    this.streaming = streaming;
    this.accumulator = streaming ? null : new ChatCompletionAccumulator();
    this.out = new SseOutput(response);
    this.translator = streaming
        ? translatorFactory.create(chunk -> out.write(Sse.data(chunk.encode())), includeUsage)
        : translatorFactory.create(accumulator, true);
  }

  /** Creates the translator once the sink is known. */
  interface TranslatorFactory {
    ChatCompletionTranslator create(Consumer<JsonObject> sink, boolean includeUsage);
  }

  @Override public boolean streaming() { return streaming; }

  /** Headers only: OpenAI's first chunk carries the role together with the first delta. */
  @Override public void commit() {
    Sse.prepare(response);
    response.writeHead();
  }

  @Override public void onEvent(QEvent event) { translator.onEvent(event); }

  @Override public void end() {
    translator.finish();
    if (streaming) {
      out.end(Sse.data(DONE));
    } else {
      response.setStatusCode(200).putHeader("content-type", "application/json").end(accumulator.completion().toBuffer());
    }
  }

  @Override public void failAfterCommit(UpstreamError error) {
    out.write(Sse.data(OpenAiApi.ERROR_SHAPE.body(error.type(), error.getMessage()).encode()));
    out.end(Sse.data(DONE));
  }

  @Override public void keepAlive() {
    out.write(Sse.comment("ping"));
    out.flush();
  }

  @Override public void flush() { out.flush(); }

  @Override public void markTruncated() { translator.markTruncated(); }

  @Override public boolean hasContent() { return translator.hasContent(); }

  @Override public boolean finishedLocally() { return translator.finishedLocally(); }

  @Override public int outputTokens() { return translator.completionTokens(); }
}
