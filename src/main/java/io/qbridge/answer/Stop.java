package io.qbridge.answer;

/**
 * Why an answer ended, in neutral terms each API maps to its own vocabulary.
 *
 * @param sequence the client's stop sequence that matched, only for {@link Reason#STOP_SEQUENCE}
 */
public record Stop(Reason reason, String sequence) {

  public enum Reason {
    /** The model finished its answer. */
    END_TURN,
    /** The client's {@code max_tokens}, or Amazon Q's own output limit, cut the answer. */
    MAX_TOKENS,
    /** One of the client's stop sequences matched; the answer ends just before it. */
    STOP_SEQUENCE,
    /** The model called at least one tool and waits for its results. */
    TOOL_USE
  }
}
