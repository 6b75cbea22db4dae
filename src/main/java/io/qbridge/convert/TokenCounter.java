package io.qbridge.convert;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingResult;
import com.knuddels.jtokkit.api.EncodingType;

/**
 * Local token counts with a real BPE tokenizer (cl100k_base, as q2api), scaled by
 * TOKEN_COUNT_MULTIPLIER. The encoding is immutable and thread-safe; it is built once per JVM
 * because loading its vocabulary is the expensive part.
 *
 * <p><b>Linear on any input.</b> BPE is cheap on the short pieces cl100k's pre-tokeniser cuts
 * ordinary text into, but grows much faster than the length of one long piece: a 10 MB string
 * without a word break took 9.4 s. So text is counted in slices of about {@value #SLICE_CHARS}
 * chars, cut only where the pre-tokeniser itself always splits (see {@link #isPieceBoundary}),
 * which gives exactly the count of the whole text. A run longer than {@value #RUN_MAX} chars
 * without such a point (one endless word, a long run of punctuation or blanks) is cut anyway: the
 * count is then approximate, off by about one token per forced cut (at most one in the seeded
 * comparison of {@code TokenCounterTest}), i.e. under 1 % of such a run's tokens.
 */
public final class TokenCounter {

  /** Preferred slice length: long enough that per-call overhead vanishes, short enough for the cache. */
  static final int SLICE_CHARS = 4096;
  /** Longest stretch without a safe cut counted as one piece; cl100k's BPE cost per char starts to grow past it. */
  static final int RUN_MAX = 128;

  private static final Encoding CL100K = Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.CL100K_BASE);

  private final double multiplier;

  public TokenCounter(double multiplier) {
    this.multiplier = multiplier;
  }

  /** Loads the vocabulary (about a second); call once off the event loop before serving. */
  public static void warmUp() {
    CL100K.countTokensOrdinary("warm up");
  }

  /** Raw token count of a text, without the multiplier; linear in its length. */
  public static int raw(String text) {
    if (text == null || text.isEmpty()) return 0;
    if (text.length() <= RUN_MAX) return exact(text); // too short to need a cut
    Cutter cutter = new Cutter();
    int total = 0;
    int start = 0;
    for (int cut; (cut = cutter.next(text, text.length())) >= 0; start = cut) total += slice(text.substring(start, cut));
    return total + slice(text.substring(start));
  }

  /**
   * The count of one slice. Short slices are what forced cuts make of an endless run, and an
   * endless run usually repeats (a stuck model writing {@code xxxx…}, a row of {@code =}, a flood
   * of {@code A}): their counts are remembered in a small direct-mapped table, so such a run
   * costs a hash lookup per slice instead of BPE (350 ms per MB, too slow for an event loop
   * relaying at loopback speed).
   */
  private static int slice(String text) {
    if (text.length() > 2 * RUN_MAX) return exact(text);
    int index = text.hashCode() & (RUNS.length - 1);
    RunCount known = RUNS[index];
    if (known != null && known.text.equals(text)) return known.tokens;
    int tokens = exact(text);
    RUNS[index] = new RunCount(text, tokens); // racy by design: entries are immutable, a lost write only costs a recount
    return tokens;
  }

  private record RunCount(String text, int tokens) {}

  private static final RunCount[] RUNS = new RunCount[1024];

  /** cl100k's own count of the whole text at once (tests compare {@link #raw} against it). */
  static int exact(String text) {
    return text.isEmpty() ? 0 : CL100K.countTokensOrdinary(wellFormed(text));
  }

  /**
   * The text with lone surrogates (JSON allows {@code "\ud800"}) replaced by U+FFFD, which has the
   * same length and class: jtokkit asserts its input is valid UTF-16.
   */
  static String wellFormed(String text) {
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (!Character.isSurrogate(c)) continue;
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      char[] chars = text.toCharArray();
      for (int j = i; j < n; j++) {
        if (Character.isHighSurrogate(chars[j]) && j + 1 < n && Character.isLowSurrogate(chars[j + 1])) j++;
        else if (Character.isSurrogate(chars[j])) chars[j] = '\ufffd';
      }
      return new String(chars);
    }
    return text;
  }

  /** How many cuts {@link #raw} forces into runs without a safe point (each may shift the count by a token). */
  static int forcedCuts(String text) {
    Cutter cutter = new Cutter();
    while (cutter.next(text, text.length()) >= 0) { }
    return cutter.forcedCuts;
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
   * its length in chars and its raw token count. Only for bounded texts (one slice of a
   * {@link Tally}): its cost is that of tokenising the text whole.
   */
  static Prefix prefixWithin(String text, int maxRawTokens) {
    if (text.isEmpty() || maxRawTokens <= 0) return new Prefix(0, 0);
    EncodingResult r = CL100K.encodeOrdinary(wellFormed(text), maxRawTokens);
    int chars = r.isTruncated() ? r.getLastProcessedCharacterIndex() + 1 : text.length();
    return new Prefix(chars, r.getTokens().size());
  }

  /** @param chars length of the prefix in chars; @param rawTokens its raw token count */
  record Prefix(int chars, int rawTokens) {}

  /**
   * Counts a text that arrives in fragments (a streamed answer), with the same slices as
   * {@link #raw} of the whole text, hence the same total. Closed slices are counted once, when
   * they close; only the open slice (at most {@value #SLICE_CHARS} + {@value #RUN_MAX} chars) is
   * kept, and re-counted when {@link #total()} is asked after new text. Not thread-safe.
   */
  public static final class Tally {

    private final StringBuilder open = new StringBuilder();
    private final Cutter cutter = new Cutter();
    private int closedRaw;
    private int openRaw; // valid when openCounted
    private boolean openCounted = true;
    private long openBytes;
    private boolean full;

    /** Adds {@code text} to the counted text. */
    public void append(String text) {
      appendWithin(text, Integer.MAX_VALUE);
    }

    /**
     * Adds the longest prefix of {@code text} that keeps {@link #total()} within {@code maxRaw}
     * (cut on a token boundary of the text as counted) and returns its length in chars; all of it
     * when it fits. Costs what counting {@code text} costs, plus at most one open slice. Once a
     * text did not fit, the tally is full and takes nothing more.
     */
    public int appendWithin(String text, int maxRaw) {
      if (full) return 0;
      int base = open.length();
      open.append(text);
      openBytes += utf8Length(text);
      openCounted = false;
      int start = 0;
      for (int cut; (cut = cutter.next(open, open.length())) >= 0; start = cut) {
        int sliceRaw = slice(open.substring(start, cut));
        if ((long) closedRaw + sliceRaw > maxRaw) return truncate(start, cut, maxRaw, base);
        closedRaw += sliceRaw;
      }
      compact(start);
      if (maxRaw != Integer.MAX_VALUE && total() > maxRaw) return truncate(0, open.length(), maxRaw, base - start);
      return text.length();
    }

    /** Tokens of everything appended so far. */
    public int total() {
      if (!openCounted) {
        openRaw = slice(open.toString());
        openCounted = true;
      }
      return closedRaw + openRaw;
    }

    /**
     * An upper bound on {@link #total()} without counting the open slice: a token covers at least
     * one UTF-8 byte.
     */
    public long upperBound() {
      return openCounted ? closedRaw + openRaw : closedRaw + openBytes;
    }

    /** Keeps {@code [from, cut)} only up to the chars that fit; returns how many chars of the new text stayed. */
    private int truncate(int from, int cut, int maxRaw, int base) {
      full = true;
      compact(from);
      base -= from;
      Prefix fits = prefixWithin(open.substring(0, cut - from), maxRaw - closedRaw);
      open.setLength(fits.chars());
      openBytes = utf8Length(open);
      openCounted = false; // re-counted alone, as a later count of the kept text would see it
      return Math.max(0, fits.chars() - base);
    }

    private void compact(int upTo) {
      if (upTo == 0) return;
      openBytes -= utf8Length(open.subSequence(0, upTo));
      open.delete(0, upTo);
      cutter.shift(upTo);
    }
  }

  /**
   * Finds where a text may be cut into slices counted apart: at a safe point (below) once the
   * slice reached {@link #SLICE_CHARS}, or anywhere outside a code point once a run went
   * {@link #RUN_MAX} chars without a safe point. Works on a text that grows between calls; every
   * decision looks at the chars up to the cut only, so a streamed text is cut where the whole
   * text is.
   */
  static final class Cutter {
    private int pos = 1;       // next position to decide on
    private int sliceStart;    // start of the open slice
    private int runStart;      // last safe point or cut
    private int digitsStart;   // start of the current run of digits
    int forcedCuts;

    /** The next cut in {@code s[..end)}, or -1 when none can be decided before more text arrives. */
    int next(CharSequence s, int end) {
      while (pos < end) {
        int i = pos;
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 == end) return -1; // wait for the pair's other half
        pos++;
        char before = s.charAt(i - 1);
        if (Character.isLowSurrogate(c) && Character.isHighSurrogate(before)) continue; // inside a code point
        int a = classOf(Character.isLowSurrogate(before) && i >= 2 && Character.isHighSurrogate(s.charAt(i - 2))
            ? Character.toCodePoint(s.charAt(i - 2), before) : before);
        int b = classOf(Character.isHighSurrogate(c) ? Character.toCodePoint(c, s.charAt(i + 1)) : c);
        if (b == NUMBER && a != NUMBER) digitsStart = i;
        if (isPieceBoundary(a, b) || a == NUMBER && b == NUMBER && (i - digitsStart) % 3 == 0) {
          runStart = i;
          if (i - sliceStart >= SLICE_CHARS) return cut(i);
        } else if (a != NUMBER || b != NUMBER) {
          if (i - runStart >= RUN_MAX) {
            forcedCuts++;
            runStart = i;
            return cut(i);
          }
        }
      }
      return -1;
    }

    private int cut(int i) {
      sliceStart = i;
      return i;
    }

    /** The text lost its first {@code n} chars (all before the open slice). */
    void shift(int n) {
      pos -= n;
      sliceStart -= n;
      runStart -= n;
      digitsStart -= n;
    }
  }

  // Character classes of cl100k's pre-tokeniser
  // (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
  static final int LETTER = 0, NUMBER = 1, NEWLINE = 2, SPACE = 3, OTHER = 4;

  /**
   * Whether cl100k's pre-tokeniser always ends a piece between a char of class {@code a} and one of
   * class {@code b}, and the text after that point splits the same alone (the pattern looks ahead
   * but never behind). Letters end before any non-letter and digits before any non-digit;
   * punctuation ends before a digit or a blank (it only swallows following newlines); a newline
   * ends before anything but whitespace (whitespace runs ending in a newline stay one piece).
   * Punctuation before a letter is not a boundary: it may lead that letter's piece ({@code "type}).
   */
  static boolean isPieceBoundary(int a, int b) {
    return switch (a) {
      case LETTER -> b != LETTER;
      case NUMBER -> b != NUMBER;
      case OTHER -> b == NUMBER || b == SPACE;
      case NEWLINE -> b == LETTER || b == NUMBER || b == OTHER;
      default -> false;
    };
  }

  /** The class of a code point as jtokkit's cl100k parser sees it (\p{L}, \p{N}, \s). */
  static int classOf(int cp) {
    if (cp < 128) {
      if (cp >= 'a' && cp <= 'z' || cp >= 'A' && cp <= 'Z') return LETTER;
      if (cp >= '0' && cp <= '9') return NUMBER;
      if (cp == '\n' || cp == '\r') return NEWLINE;
      if (cp == ' ' || cp == '\t' || cp == 0x0B || cp == '\f') return SPACE;
      return OTHER;
    }
    if (cp >= 170 && cp <= 205743) {
      switch (Character.getType(cp)) {
        case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
             Character.MODIFIER_LETTER, Character.OTHER_LETTER -> { return LETTER; }
        default -> { }
      }
    }
    if (cp >= 178 && cp <= 130041) {
      switch (Character.getType(cp)) {
        case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> { return NUMBER; }
        default -> { }
      }
    }
    if (cp == 0x85 || cp == 0xA0 || cp == 0x1680 || cp >= 0x2000 && cp <= 0x200A || cp == 0x2028 || cp == 0x2029
        || cp == 0x202F || cp == 0x205F || cp == 0x3000) {
      return SPACE;
    }
    return OTHER;
  }

  /** UTF-8 length without encoding: an upper bound on the token count of the text. */
  static long utf8Length(CharSequence s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (Character.isSurrogate(c)) n += 2; // each half of a 4-byte pair
      else n += 3;
    }
    return n;
  }
}
