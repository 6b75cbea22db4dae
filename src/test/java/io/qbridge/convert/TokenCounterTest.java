package io.qbridge.convert;

import static io.qbridge.convert.TokenCounter.LETTER;
import static io.qbridge.convert.TokenCounter.NEWLINE;
import static io.qbridge.convert.TokenCounter.NUMBER;
import static io.qbridge.convert.TokenCounter.OTHER;
import static io.qbridge.convert.TokenCounter.SPACE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenCounterTest {

  /** Pieces random texts are built from: prose, code, JSON, numbers, scripts, odd whitespace and surrogates. */
  static final String[] PIECES = {
      "alpha", " beta", "x", "12345", "3.14159", "{\"type\":\"object\"}", "\n", "\r\n", "  ", "\t", "über", "日本語の文章",
      "don't", "I'LL", "end.", "!!!", "?\n", " \n\n ", "\u00a0", "\u3000", "😀", "𝒜𝒷", "\ud800", "\udc00", "١٢٣", "Ⅻ",
      "﻿", "ﬁ", "a-b_c", "https://example.com/path?q=1", "\\u00e9", "¼", "ǅ", "ʰ"};

  /** Unbroken runs that force cuts: one letter, mixed letters, CJK, punctuation, blanks, digits. */
  static String run(Random rnd) {
    int n = 100 + rnd.nextInt(1500);
    StringBuilder b = new StringBuilder(n);
    int kind = rnd.nextInt(6);
    for (int i = 0; i < n; i++) {
      b.append(switch (kind) {
        case 0 -> 'A';
        case 1 -> (char) ('a' + rnd.nextInt(26));
        case 2 -> (char) (0x4e00 + rnd.nextInt(2000));
        case 3 -> "=-*#".charAt(rnd.nextInt(4));
        case 4 -> ' ';
        default -> (char) ('0' + rnd.nextInt(10));
      });
    }
    return b.toString();
  }

  static String randomText(Random rnd, int length) {
    StringBuilder b = new StringBuilder();
    while (b.length() < length) {
      if (rnd.nextInt(40) == 0) b.append(run(rnd));
      else b.append(PIECES[rnd.nextInt(PIECES.length)]).append(rnd.nextInt(3) == 0 ? "" : " ");
    }
    return b.toString();
  }

  /**
   * Seeded loop: the sliced count equals cl100k's count of the whole text when no cut was forced,
   * and is off by at most one token per forced cut otherwise (the documented error).
   */
  @Test
  void slicedCountMatchesTheWholeCount() {
    long seed = Long.getLong("qbridge.seed", 8);
    System.out.println("TokenCounterTest.slicedCountMatchesTheWholeCount seed " + seed + " (-Dqbridge.seed=… to vary)");
    Random rnd = new Random(seed);
    int forcedTotal = 0;
    int offTotal = 0;
    for (int run = 0; run < 100; run++) {
      String text = randomText(rnd, rnd.nextInt(10_000));
      int sliced = TokenCounter.raw(text);
      int whole = TokenCounter.exact(text);
      int forced = TokenCounter.forcedCuts(text);
      forcedTotal += forced;
      offTotal += Math.abs(sliced - whole);
      assertThat(Math.abs(sliced - whole)).as("seed %d run %d (%d forced cuts)", seed, run, forced).isLessThanOrEqualTo(forced);
    }
    System.out.println("forced cuts " + forcedTotal + ", tokens off " + offTotal);
  }

  /** Long prose, code and JSON have safe points everywhere: counted exactly, with no forced cut. */
  @Test
  void ordinaryTextIsCountedExactly() {
    String prose = "The quick brown fox jumps over the lazy dog, again and again.\n".repeat(2000);
    String json = "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"description\":\"A file\"}}}".repeat(500);
    String numbers = "1234567890".repeat(3000);
    for (String text : new String[] {prose, json, numbers}) {
      assertThat(TokenCounter.forcedCuts(text)).isZero();
      assertThat(TokenCounter.raw(text)).isEqualTo(TokenCounter.exact(text));
    }
  }

  /** A tally fed random fragments counts what {@link TokenCounter#raw} counts for the whole text. */
  @Test
  void tallyOfFragmentsEqualsTheWholeCount() {
    long seed = Long.getLong("qbridge.seed", 9);
    System.out.println("TokenCounterTest.tallyOfFragmentsEqualsTheWholeCount seed " + seed + " (-Dqbridge.seed=… to vary)");
    Random rnd = new Random(seed);
    for (int run = 0; run < 60; run++) {
      String text = randomText(rnd, rnd.nextInt(10_000));
      TokenCounter.Tally tally = new TokenCounter.Tally();
      for (int i = 0; i < text.length(); ) {
        int n = Math.min(text.length() - i, 1 + rnd.nextInt(rnd.nextBoolean() ? 10 : 3000));
        tally.append(text.substring(i, i + n));
        if (rnd.nextInt(10) == 0) assertThat(tally.upperBound()).isGreaterThanOrEqualTo(tally.total());
        i += n;
      }
      assertThat(tally.total()).as("seed %d run %d", seed, run).isEqualTo(TokenCounter.raw(text));
    }
  }

  /** One unbroken 2 MB string (the issue's body had 10 MB: see LargeBodiesTest) counts in linear time. */
  @Test
  void anEndlessWordIsCountedInLinearTime() {
    String word = "A".repeat(2 * 1024 * 1024);
    assertThat(TokenCounter.raw(word)).isEqualTo(word.length() / 8); // cl100k: eight A's a token, cuts every 128
  }

  @Test
  void pieceBoundaries() {
    assertThat(TokenCounter.isPieceBoundary(LETTER, SPACE)).isTrue();
    assertThat(TokenCounter.isPieceBoundary(LETTER, OTHER)).isTrue();
    assertThat(TokenCounter.isPieceBoundary(NUMBER, LETTER)).isTrue();
    assertThat(TokenCounter.isPieceBoundary(OTHER, SPACE)).isTrue();
    assertThat(TokenCounter.isPieceBoundary(NEWLINE, LETTER)).isTrue();
    assertThat(TokenCounter.isPieceBoundary(OTHER, LETTER)).as("\"type is one piece").isFalse();
    assertThat(TokenCounter.isPieceBoundary(OTHER, NEWLINE)).as("punctuation swallows newlines").isFalse();
    assertThat(TokenCounter.isPieceBoundary(SPACE, LETTER)).as("a leading blank belongs to the word").isFalse();
    assertThat(TokenCounter.isPieceBoundary(NEWLINE, SPACE)).as("\\n \\n is one piece").isFalse();
    assertThat(TokenCounter.classOf('é')).isEqualTo(LETTER);
    assertThat(TokenCounter.classOf(0x0663)).isEqualTo(NUMBER);
    assertThat(TokenCounter.classOf(0x3000)).isEqualTo(SPACE);
    assertThat(TokenCounter.classOf(0x1F600)).isEqualTo(OTHER);
  }
}
