package io.qbridge.api.openai;

import io.qbridge.convert.TokenCounter;

/**
 * Counts completion tokens as they stream and enforces {@code max_tokens} locally (Amazon Q has no
 * such parameter). Tokens are counted with the same tokenizer and multiplier as usage, so a cut
 * answer reports exactly {@code max_tokens} completion tokens.
 *
 * <p>Re-tokenising the whole answer on every fragment would be quadratic. Tokens never span a
 * word boundary of cl100k's pre-tokeniser, so text before such a point is counted once and only a
 * short tail is re-tokenised. Separate parts
 * (content, reasoning, each tool's arguments) are counted separately, see {@link #boundary()}.
 * Not thread-safe; one per response.
 */
final class OutputTokenBudget {

  private static final int TAIL_MAX = 1024;
  private static final int TAIL_KEEP = 128;

  private final TokenCounter counter;
  private final int rawLimit;
  private final StringBuilder tail = new StringBuilder();
  private int committedRaw;
  private int tailRaw;
  private boolean exhausted;

  /** @param maxTokens the client's limit (scaled tokens), 0 = unlimited */
  OutputTokenBudget(TokenCounter counter, int maxTokens) {
    this.counter = counter;
    this.rawLimit = maxTokens <= 0 ? Integer.MAX_VALUE : counter.rawWithin(maxTokens);
  }

  /**
   * Accounts for {@code text} and returns how many of its leading chars fit the limit. When not
   * all of it fits the budget is exhausted and every later call returns 0.
   */
  int take(String text) {
    if (exhausted) return 0;
    if (text.isEmpty()) return 0;
    String candidate = tail + text;
    int taken = text.length();
    if (rawLimit != Integer.MAX_VALUE) {
      int fits = TokenCounter.prefixWithin(candidate, rawLimit - committedRaw);
      if (fits < candidate.length()) {
        exhausted = true;
        taken = Math.max(0, fits - tail.length());
        candidate = candidate.substring(0, tail.length() + taken);
      }
    }
    tail.setLength(0);
    tail.append(candidate);
    tailRaw = TokenCounter.raw(candidate);
    if (tail.length() > TAIL_MAX) commitSafePrefix();
    return taken;
  }

  /** The next text is a separate part (e.g. tool arguments after content): count it on its own. */
  void boundary() {
    committedRaw += tailRaw;
    tailRaw = 0;
    tail.setLength(0);
  }

  boolean exhausted() { return exhausted; }

  /** Completion tokens so far, scaled like every other token count. */
  int usedTokens() {
    return counter.scale(committedRaw + tailRaw);
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
    tailRaw = TokenCounter.raw(tail.toString());
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
