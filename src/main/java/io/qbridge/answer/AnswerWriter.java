package io.qbridge.answer;

import io.qbridge.relay.ResponseWriter;
import io.qbridge.relay.Sse;
import io.qbridge.relay.SseOutput;
import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The {@link ResponseWriter} of every chat API: upstream events go through one {@link AnswerShaper}
 * into the API's wire encoder, a {@link StreamEncoder} for SSE or an {@link AnswerAccumulator} for
 * one JSON body. Adding an API means writing those two encoders (and a request parser), nothing here.
 */
public final class AnswerWriter implements ResponseWriter {

  private final HttpServerResponse response;
  private final AnswerShaper shaper;
  private final SseOutput out;
  private final StreamEncoder encoder;
  private final AnswerAccumulator accumulator;

  private AnswerWriter(HttpServerResponse response, AnswerPolicy policy, Function<Consumer<Buffer>, StreamEncoder> encoder,
                       AnswerAccumulator accumulator) {
    this.response = response;
    this.accumulator = accumulator;
    if (accumulator == null) {
      this.out = new SseOutput(response);
      this.encoder = encoder.apply(out::write);
      this.shaper = new AnswerShaper(policy, this.encoder);
    } else {
      this.out = null;
      this.encoder = null;
      this.shaper = new AnswerShaper(policy, accumulator);
    }
  }

  /** Streams the answer as SSE; {@code encoder} gets the frame output to write to. */
  public static AnswerWriter streaming(HttpServerResponse response, AnswerPolicy policy,
                                       Function<Consumer<Buffer>, StreamEncoder> encoder) {
    return new AnswerWriter(response, policy, encoder, null);
  }

  /** Answers with one JSON body once the upstream finished. */
  public static AnswerWriter whole(HttpServerResponse response, AnswerPolicy policy, AnswerAccumulator accumulator) {
    return new AnswerWriter(response, policy, null, accumulator);
  }

  @Override public boolean streaming() { return encoder != null; }

  /** Headers, then the preamble; with no preamble the headers go out at once (clients see the stream open). */
  @Override public void commit() {
    Sse.prepare(response);
    encoder.start();
    if (!out.pending()) response.writeHead();
  }

  @Override public void onEvent(QEvent event) { shaper.onEvent(event); }

  @Override public void end() {
    shaper.finish();
    if (encoder != null) {
      out.end();
    } else {
      response.setStatusCode(200).putHeader("content-type", "application/json").end(accumulator.body().toBuffer());
    }
  }

  @Override public void failAfterCommit(UpstreamError error) {
    encoder.fail(error);
    out.end();
  }

  @Override public void keepAlive() {
    encoder.keepAlive();
    out.flush();
  }

  @Override public void flush() {
    if (out != null) out.flush();
  }

  @Override public void markTruncated() { shaper.markTruncated(); }

  @Override public boolean hasContent() { return shaper.hasContent(); }

  @Override public boolean finishedLocally() { return shaper.finishedLocally(); }

  @Override public int outputTokens() { return shaper.outputTokens(); }
}
