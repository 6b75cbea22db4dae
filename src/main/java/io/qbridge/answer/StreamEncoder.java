package io.qbridge.answer;

import io.qbridge.upstream.UpstreamError;

/**
 * One API's streaming wire format: writes SSE frames for the shaped answer events to the frame
 * output it was built with. {@link AnswerWriter} sends the headers, batches the frames per upstream
 * chunk and ends the response; an encoder only says what the bytes are. Its {@link #stop} writes
 * the stream's tail (final event, usage, terminator).
 */
public interface StreamEncoder extends AnswerSink {

  /** Right after the SSE headers: the API's preamble (e.g. {@code message_start}), if it has one. */
  void start();

  /** The upstream has been silent for a while: a frame that keeps proxies and clients waiting. */
  void keepAlive();

  /** The upstream failed after the first byte: the API's in-stream error; the response ends after it. */
  void fail(UpstreamError error);
}
