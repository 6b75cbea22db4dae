package io.qbridge.convert;

/**
 * Counts completion tokens as they stream and enforces {@code max_tokens} locally (Amazon Q has no
 * such parameter). Tokens are counted with the same tokenizer and multiplier as usage, so a cut
 * answer reports exactly {@code max_tokens} completion tokens.
 *
 * <p>This runs on the event loop for every fragment, so its cost is linear in the output: each
 * part is a {@link TokenCounter.Tally}, which counts every char once when its slice closes and
 * keeps only a bounded open slice (a paused client reading one endless word costs the same per
 * byte as one reading prose). Since a token covers at least one UTF-8 byte, the exact limit check
 * only runs once the byte count could reach the limit.
 * Separate parts (content, reasoning, each tool's arguments) are counted separately, see
 * {@link #boundary()}. Not thread-safe; one per response.
 */
public final class OutputTokenBudget {

  private final TokenCounter counter;
  private final int rawLimit;
  private int finishedPartsRaw;
  private TokenCounter.Tally part = new TokenCounter.Tally();
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
    if (rawLimit == Integer.MAX_VALUE
        || finishedPartsRaw + part.upperBound() + TokenCounter.utf8Length(text) <= rawLimit) {
      part.append(text); // far from the limit: nothing to check yet
      return text.length();
    }
    int taken = part.appendWithin(text, rawLimit - finishedPartsRaw);
    if (taken < text.length()) exhausted = true;
    return taken;
  }

  /**
   * The next text is a separate part (e.g. tool arguments after content): count it on its own.
   * Returns the raw token count of the part just ended, so callers can tell parts apart (reasoning
   * tokens) without counting any text a second time.
   */
  public int boundary() {
    int raw = part.total();
    finishedPartsRaw += raw;
    part = new TokenCounter.Tally();
    return raw;
  }

  /** Raw tokens of the part still being counted. */
  public int currentPartRaw() {
    return part.total();
  }

  public boolean exhausted() { return exhausted; }

  /** Completion tokens so far, scaled like every other token count. */
  public int usedTokens() {
    return counter.scale(finishedPartsRaw + part.total());
  }
}
