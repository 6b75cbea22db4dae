package io.qbridge.convert;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Local token estimates with a real BPE tokenizer (cl100k_base, as q2api), scaled by
 * TOKEN_COUNT_MULTIPLIER. The encoding is immutable and thread-safe; it is built once per JVM
 * because loading its vocabulary is the expensive part.
 */
public final class TokenCounter {

  private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private final double multiplier;

  public TokenCounter(double multiplier) {
    this.multiplier = multiplier;
  }

  /** Raw token count of a text, without the multiplier. */
  public static int raw(String text) {
    return text == null || text.isEmpty() ? 0 : CL100K.countTokensOrdinary(text);
  }

  /** Token count of a text with the multiplier applied. */
  public int count(String text) {
    return scale(raw(text));
  }

  public int scale(int rawTokens) {
    return (int) (rawTokens * multiplier);
  }

  /** The largest raw token count whose scaled count stays within {@code scaledMax}; MAX_VALUE when the multiplier is 0. */
  public int rawWithin(int scaledMax) {
    if (multiplier <= 0) return Integer.MAX_VALUE;
    // scale(r) truncates, so scale(r) <= max exactly when r * multiplier < max + 1
    double bound = Math.ceil((scaledMax + 1.0) / multiplier) - 1;
    if (bound >= Integer.MAX_VALUE) return Integer.MAX_VALUE;
    int raw = (int) Math.max(0, bound);
    while (raw > 0 && scale(raw) > scaledMax) raw--; // floating-point edges
    while (raw < Integer.MAX_VALUE && scale(raw + 1) <= scaledMax) raw++;
    return raw;
  }

  /**
   * The longest prefix of {@code text} that is at most {@code maxRawTokens} raw tokens long, as
   * its length in chars and its raw token count. Used to cut output at a token limit.
   */
  public static Prefix prefixWithin(String text, int maxRawTokens) {
    if (text.isEmpty() || maxRawTokens <= 0) return new Prefix(0, 0);
    EncodingResult r = CL100K.encodeOrdinary(text, maxRawTokens);
    int chars = r.isTruncated() ? r.getLastProcessedCharacterIndex() + 1 : text.length();
    return new Prefix(chars, r.getTokens().size());
  }

  /** @param chars length of the prefix in chars; @param rawTokens its raw token count */
  public record Prefix(int chars, int rawTokens) {}
}
