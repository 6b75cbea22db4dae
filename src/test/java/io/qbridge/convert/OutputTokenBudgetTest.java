package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OutputTokenBudgetTest {

  static final TokenCounter TOKENS = new TokenCounter(1.0);

  @Test
  void cutsAtTheLimitInsideAFragment() {
    OutputTokenBudget b = new OutputTokenBudget(TOKENS, 4);
    assertThat(b.take("Hello")).isEqualTo(5);
    assertThat(b.take(" world, this is a test")).isEqualTo(" world, this".length());
    assertThat(b.exhausted()).isTrue();
    assertThat(b.usedTokens()).isEqualTo(4);
    assertThat(b.take("more")).isZero();
  }

  @Test
  void unlimitedBudgetOnlyCounts() {
    OutputTokenBudget b = new OutputTokenBudget(TOKENS, 0);
    String text = "The quick brown fox jumps over the lazy dog. ".repeat(200);
    for (int i = 0; i < text.length(); i += 7) assertThat(b.take(text.substring(i, Math.min(text.length(), i + 7)))).isPositive();
    assertThat(b.exhausted()).isFalse();
    assertThat(b.usedTokens()).isEqualTo(TokenCounter.raw(text));
  }

  @Test
  void multiplierScalesTheLimit() {
    OutputTokenBudget b = new OutputTokenBudget(new TokenCounter(2.0), 10);
    int taken = b.take("one two three four five six seven eight");
    assertThat(TokenCounter.raw("one two three four five six seven eight".substring(0, taken))).isEqualTo(5);
    assertThat(b.usedTokens()).isEqualTo(10);
  }

  @Test
  void partsAreCountedSeparately() {
    OutputTokenBudget b = new OutputTokenBudget(TOKENS, 0);
    b.take("{\"a\":");
    b.boundary();
    b.take("1}");
    assertThat(b.usedTokens()).isEqualTo(TokenCounter.raw("{\"a\":") + TokenCounter.raw("1}"));
  }

  /**
   * Seeded loop: incremental counting of long streamed texts matches counting the whole text
   * (within 1%), both without a limit (lazy counting) and under a limit never reached (eager).
   */
  @Test
  void incrementalCountMatchesWholeCount() {
    long seed = 11;
    Random rnd = new Random(seed);
    String[] words = {"alpha", "beta", "x", "12345", "{\"k\":", "\n", "  ", "über", "日本語", "tab\t", "end."};
    for (int run = 0; run < 30; run++) {
      StringBuilder text = new StringBuilder();
      while (text.length() < 5000) text.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(3) == 0 ? "" : " ");
      OutputTokenBudget b = new OutputTokenBudget(TOKENS, run % 2 == 0 ? 0 : 1_000_000);
      for (int i = 0; i < text.length(); ) {
        int n = 1 + rnd.nextInt(20);
        String piece = text.substring(i, Math.min(text.length(), i + n));
        if (Character.isHighSurrogate(piece.charAt(piece.length() - 1)) && i + n < text.length()) piece = text.substring(i, i + n + 1);
        b.take(piece);
        i += piece.length();
      }
      assertThat(b.exhausted()).isFalse();
      int whole = TokenCounter.raw(text.toString());
      assertThat((double) b.usedTokens()).as("seed %d run %d", seed, run).isCloseTo(whole, org.assertj.core.data.Percentage.withPercentage(1));
    }
  }

  /**
   * Seeded loop: a streamed text is cut only when longer than the limit, and then to the limit,
   * never over. The cut falls on a token boundary of the streamed text; re-tokenised alone the cut
   * text may count one token less (a cut word such as "üb" can merge into one token).
   */
  @Test
  void randomLimitsCutExactly() {
    long seed = 23;
    Random rnd = new Random(seed);
    String[] words = {"alpha", "beta", "x", "12345", "{\"k\":", "\n", "über", "日本語", "end."};
    for (int run = 0; run < 300; run++) {
      StringBuilder text = new StringBuilder();
      int target = 50 + rnd.nextInt(1500);
      while (text.length() < target) text.append(words[rnd.nextInt(words.length)]).append(rnd.nextBoolean() ? " " : "");
      int limit = 1 + rnd.nextInt(400);
      OutputTokenBudget b = new OutputTokenBudget(TOKENS, limit);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); ) {
        String piece = text.substring(i, Math.min(text.length(), i + 1 + rnd.nextInt(12)));
        out.append(piece, 0, b.take(piece));
        i += piece.length();
      }
      int whole = TokenCounter.raw(text.toString());
      String ctx = "seed " + seed + " run " + run + " limit " + limit;
      if (whole <= limit) {
        assertThat(b.exhausted()).as(ctx).isFalse();
        assertThat(out.toString()).as(ctx).isEqualTo(text.toString());
      } else {
        assertThat(b.exhausted()).as(ctx).isTrue();
        assertThat(TokenCounter.raw(out.toString())).as(ctx).isBetween(limit - 1, limit);
        assertThat(b.usedTokens()).as(ctx).isEqualTo(TokenCounter.raw(out.toString()));
      }
    }
  }

  /**
   * Seeded loop over texts with endless words, digits and odd whitespace: the budget's count of a
   * streamed text is cl100k's count of the whole text within the documented error (one token per
   * forced cut).
   */
  @Test
  void streamedCountIsTheExactCountWithinTheDocumentedError() {
    long seed = Long.getLong("qbridge.seed", 5);
    System.out.println("OutputTokenBudgetTest seed " + seed + " (-Dqbridge.seed=… to vary)");
    Random rnd = new Random(seed);
    for (int run = 0; run < 60; run++) {
      String text = TokenCounterTest.randomText(rnd, rnd.nextInt(10_000));
      OutputTokenBudget b = new OutputTokenBudget(TOKENS, run % 2 == 0 ? 0 : 10_000_000);
      for (int i = 0; i < text.length(); ) {
        int n = Math.min(text.length() - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 16 : 4096));
        assertThat(b.take(text.substring(i, i + n))).isEqualTo(n);
        i += n;
      }
      int exact = TokenCounter.exact(text);
      assertThat(Math.abs(b.usedTokens() - exact)).as("seed %d run %d", seed, run)
          .isLessThanOrEqualTo(TokenCounter.forcedCuts(text));
    }
  }

  /**
   * The paused-client case of issue 8: one unbroken 1 MB word arriving in 64 KB fragments is
   * counted once per char (it used to be re-tokenised whole for every fragment); a stall would
   * trip the blocked-thread checker of the e2e tests, and here it simply finishes.
   */
  @Test
  void anUnbrokenMegabyteIn64KbFragmentsIsCountedOnce() {
    String fragment = "A".repeat(64 * 1024);
    OutputTokenBudget unlimited = new OutputTokenBudget(TOKENS, 0);
    OutputTokenBudget limited = new OutputTokenBudget(TOKENS, 100_000);
    int limitedTaken = 0;
    for (int i = 0; i < 16; i++) {
      assertThat(unlimited.take(fragment)).isEqualTo(fragment.length());
      limitedTaken += limited.take(fragment);
    }
    assertThat(unlimited.usedTokens()).isEqualTo(16 * fragment.length() / 8); // eight A's a token
    assertThat(limited.exhausted()).isTrue();
    assertThat(limited.usedTokens()).isEqualTo(100_000);
    assertThat(limitedTaken).isEqualTo(800_000);
  }
}
