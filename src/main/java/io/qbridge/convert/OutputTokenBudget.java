package io.qbridge.convert;


/**
 * Counts completion tokens as they stream and enforces {@code max_tokens} locally (Amazon Q has no
 * such parameter). Tokens are counted with the same tokenizer and multiplier as usage, so a cut
 * answer reports exactly {@code max_tokens} completion tokens.
 *
 * <p>This runs on the event loop for every fragment, so it must stay cheap: tokens never span a
 * word boundary of cl100k's pre-tokeniser, so text before such a point is counted once and only a
 * short tail is re-tokenised; and since a token covers at least one UTF-8 byte, the exact check
 * only runs once the byte count could reach the limit.
 * Separate parts (content, reasoning, each tool's arguments) are counted separately, see
 * {@link #boundary()}. Not thread-safe; one per response.
 */
public final class OutputTokenBudget {

  private static final int TAIL_MAX = 256;
  private static final int TAIL_KEEP = 64;

  private final TokenCounter counter;
  private final int rawLimit;
  private final StringBuilder tail = new StringBuilder();
  private int committedRaw;
  private int tailRaw = -1; // -1: not counted yet
  private int tailBytes;
  private boolean exhausted;

  /** @param maxTokens the client's limit (scaled tokens), 0 = unlimited */
  public OutputTokenBudget(TokenCounter counter, int maxTokens) {
    this.counter = counter;
    this.rawLimit = maxTokens <= 0 ? Integer.MAX_VALUE : counter.rawWithin(maxTokens);
  }

  /**
   * Accounts for {@code text} and returns how many of its leading chars fit the limit. When not
   * all of it fits the budget is exhausted and every later call returns 0.
   */
  public int take(String text) {
    if (exhausted || text.isEmpty()) return 0;
    int taken = text.length();
    int textBytes = utf8Length(text);
    if ((long) committedRaw + tailBytes + textBytes <= rawLimit) {
      // a token covers at least one UTF-8 byte: far from the limit there is nothing to check yet
      tail.append(text);
      tailBytes += textBytes;
      tailRaw = -1;
    } else {
      String candidate = tail + text;
      TokenCounter.Prefix fits = TokenCounter.prefixWithin(candidate, rawLimit - committedRaw);
      if (fits.chars() < candidate.length()) {
        exhausted = true;
        taken = Math.max(0, fits.chars() - tail.length());
        tail.append(text, 0, taken);
        tailBytes += utf8Length(text.substring(0, taken));
        tailRaw = -1;
      } else {
        tail.append(text);
        tailBytes += textBytes;
        tailRaw = fits.rawTokens();
      }
    }
    if (tail.length() > TAIL_MAX) commitSafePrefix();
    return taken;
  }

  /** The next text is a separate part (e.g. tool arguments after content): count it on its own. */
  public void boundary() {
    committedRaw += tailRaw();
    tailRaw = 0;
    tailBytes = 0;
    tail.setLength(0);
  }

  public boolean exhausted() { return exhausted; }

  /** Completion tokens so far, scaled like every other token count. */
  public int usedTokens() {
    return counter.scale(committedRaw + tailRaw());
  }

  private int tailRaw() {
    if (tailRaw < 0) tailRaw = TokenCounter.raw(tail.toString());
    return tailRaw;
  }

  private void commitSafePrefix() {
    int cut = -1;
    for (int i = tail.length() - TAIL_KEEP; i > 0 && cut < 0; i--) {
      if (isTokenBoundary(tail, i)) cut = i;
    }
    if (cut < 0) {
      // one unbroken run (base64, minified code): cut anyway, off by at most a token, to stay linear
      cut = tail.length() - TAIL_KEEP;
      if (Character.isLowSurrogate(tail.charAt(cut))) cut--;
    }
    committedRaw += TokenCounter.raw(tail.substring(0, cut));
    tail.delete(0, cut);
    tailBytes = utf8Length(tail);
    tailRaw = -1;
  }

  /** UTF-8 length without encoding: an upper bound on the token count of the text. */
  static int utf8Length(CharSequence s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (Character.isSurrogate(c)) n += 2; // each half of a 4-byte pair
      else n += 3;
    }
    return n;
  }

  /**
   * Whether cl100k_base never puts a token across position {@code i}: a word-leading space after
   * a non-space, or a non-space right after a newline (its pre-tokeniser splits there).
   */
  static boolean isTokenBoundary(CharSequence s, int i) {
    if (i <= 0 || i + 1 >= s.length()) return false;
    char before = s.charAt(i - 1);
    char at = s.charAt(i);
    if (at == ' ') return !Character.isWhitespace(before) && !Character.isWhitespace(s.charAt(i + 1));
    return before == '\n' && !Character.isWhitespace(at);
  }
}
