package io.qbridge.eventstream;

/**
 * A framing error in an AWS event stream. Stack traces are off: these are expected,
 * categorised failures of untrusted input, not programming errors.
 */
public final class EventStreamException extends RuntimeException {

  public enum Kind {
    /** total_length below 16, above the cap, or headers_length not fitting inside the frame. */
    LENGTH_OUT_OF_BOUNDS,
    /** CRC32 of the first 8 bytes does not match the prelude CRC. */
    PRELUDE_CRC,
    /** CRC32 of the whole frame (minus the trailing 4 bytes) does not match the message CRC. */
    MESSAGE_CRC,
    /** Header block cannot be parsed: bad name length, unknown type, value overruns the block. */
    MALFORMED_HEADER
  }

  private final Kind kind;

  public EventStreamException(Kind kind, String message) {
    super(kind + ": " + message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() { return kind; }
}
