package io.qbridge.convert;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
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
}
