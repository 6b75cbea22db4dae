package io.qbridge.convert;

import java.util.function.BiConsumer;

/**
 * Splits streamed text into thinking and answer segments at {@code <thinking>}/{@code </thinking>}
 * tags that may arrive split across fragments ({@code "<thin"} + {@code "king>"}, q2api 688af7b).
 * Text that might be the start of a tag is held back until the next fragment decides; everything
 * else is emitted at once, so streaming stays incremental.
 *
 * <p>Only used when the client asked for thinking (q2api §11.8: otherwise a literal
 * {@code <thinking>} in an answer is just text). One newline after the opening tag and up to two
 * after the closing tag are dropped (they are formatting, not content), as is whitespace-only text
 * before the first thinking block. Not thread-safe.
 */
public final class ThinkingSplitter {

  public static final String OPEN = "<thinking>";
  public static final String CLOSE = "</thinking>";

  private final BiConsumer<Boolean, String> sink;
  private final StringBuilder pending = new StringBuilder();
  private boolean inThinking;
  private boolean sawAnything;
  private int newlinesToStrip;

  /** @param sink receives (isThinking, text) segments; never empty strings */
  public ThinkingSplitter(BiConsumer<Boolean, String> sink) {
    this.sink = sink;
  }

  public boolean inThinking() { return inThinking; }

  public void accept(String fragment) {
    pending.append(fragment);
    drain(false);
  }

  /** End of stream: whatever is held back is plain content of the current segment. */
  public void flush() {
    drain(true);
  }

  private void drain(boolean eof) {
    while (pending.length() > 0) {
      if (newlinesToStrip > 0) {
        if (pending.charAt(0) == '\n') {
          pending.deleteCharAt(0);
          newlinesToStrip--;
          continue;
        }
        newlinesToStrip = 0;
      }
      String tag = inThinking ? CLOSE : OPEN;
      int at = pending.indexOf(tag);
      if (at >= 0) {
        emit(pending.substring(0, at));
        pending.delete(0, at + tag.length());
        inThinking = !inThinking;
        newlinesToStrip = inThinking ? 1 : 2;
        continue;
      }
      int keep = eof ? 0 : partialTagSuffix(pending, tag);
      emit(pending.substring(0, pending.length() - keep));
      pending.delete(0, pending.length() - keep);
      return;
    }
  }

  private void emit(String text) {
    if (text.isEmpty()) return;
    if (!inThinking && !sawAnything && text.isBlank()) return; // whitespace before the first block
    sawAnything = true;
    sink.accept(inThinking, text);
  }

  /** Length of the longest suffix of {@code s} that is a proper prefix of {@code tag}. */
  static int partialTagSuffix(CharSequence s, String tag) {
    int max = Math.min(tag.length() - 1, s.length());
    for (int len = max; len > 0; len--) {
      boolean match = true;
      for (int i = 0; i < len; i++) {
        if (s.charAt(s.length() - len + i) != tag.charAt(i)) {
          match = false;
          break;
        }
      }
      if (match) return len;
    }
    return 0;
  }
}
