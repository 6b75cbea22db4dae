package io.qbridge.answer;

/**
 * Receives one answer as API-neutral events, already shaped by {@link AnswerShaper}: thinking split
 * from text, stop sequences and {@code max_tokens} applied, duplicate tool events dropped. A wire
 * encoder (SSE for one API, or a whole-response accumulator) implements it.
 *
 * <p>The sequence is: any number of {@code text}, {@code thinking} and tool calls
 * ({@code toolStart toolArguments* toolEnd}), then exactly one {@code stop} on a normal end. Deltas
 * are never empty; text and thinking never arrive while a tool call is open, so every
 * {@code toolStart} is closed by a {@code toolEnd} before anything else. Encoders decide their own
 * block boundaries from changes of kind (text after thinking opens a new block, for instance).
 * Calls come from the request's event loop.
 */
public interface AnswerSink {

  /** A fragment of the answer text. */
  void text(String delta);

  /** A fragment of the model's thinking (only when the client asked for thinking). */
  void thinking(String delta);

  /** A tool call starts; {@code name} is the client's name for the tool. */
  void toolStart(String id, String name);

  /** A fragment of the open tool call's JSON arguments. */
  void toolArguments(String delta);

  /** The open tool call is complete. */
  void toolEnd();

  /** The answer ended normally: why, and what it cost. */
  void stop(Stop stop, Usage usage);
}
