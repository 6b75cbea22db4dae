package io.qbridge.relay;

import io.qbridge.upstream.QEvent;
import io.qbridge.upstream.UpstreamError;

/**
 * The API-specific half of a relay: turns upstream events into client bytes. One instance per
 * client request; all calls come from the request's event loop, in this order:
 * {@code commit?} → {@code onEvent*} (interleaved with {@code keepAlive*}) → exactly one of
 * {@code end} / {@code failAfterCommit}. Streaming writers write as they go; buffering writers
 * (non-streaming responses) collect and write everything in {@code end}.
 */
public interface ResponseWriter {

  /** True for SSE: the relay may commit (send headers) before the upstream finished. */
  boolean streaming();

  /** Sends status, headers and the preamble (e.g. {@code message_start}). Called at most once. */
  void commit();

  /** Translates one upstream event. */
  void onEvent(QEvent event);

  /** Upstream finished normally: write the tail and end the response. */
  void end();

  /** Upstream failed after headers were sent: write an in-stream error and end the response. */
  void failAfterCommit(UpstreamError error);

  /** Sends what the events of the current upstream chunk produced (streaming writers batch them). */
  default void flush() {}

  /** The upstream has been silent for a while: write a keep-alive. Only called after commit. */
  void keepAlive();

  /** The upstream cut the output at its length limit; the coming {@code end} reports a length stop. */
  void markTruncated();

  /** Whether at least one content token (text, thinking or tool call) was produced. */
  boolean hasContent();

  /**
   * Whether the writer ended the answer on its own, e.g. at a client stop sequence or token limit
   * that Amazon Q cannot apply. Checked after each {@code onEvent}: once true, the relay stops
   * reading, cancels the upstream (no point paying for output nobody will see) and calls
   * {@code end}. Writers without local limits never finish early.
   */
  default boolean finishedLocally() { return false; }

  /** Output tokens of the answer so far, as reported in its usage; -1 when the writer does not count. */
  default int outputTokens() { return -1; }
}
