package io.qbridge.answer;

import io.vertx.core.json.JsonObject;

/**
 * One API's whole (non-streaming) response: collects the shaped answer events and builds the
 * JSON body once the answer stopped, so the whole response says exactly what the stream would have.
 */
public interface AnswerAccumulator extends AnswerSink {

  /** The response body; called once, after {@link #stop}. */
  JsonObject body();
}
