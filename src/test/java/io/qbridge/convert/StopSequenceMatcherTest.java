package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StopSequenceMatcherTest {

  @Test
  void releasesEverythingThatCannotStartAStopSequence() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("STOP"));
    assertThat(m.accept("hello S")).isEqualTo("hello ");
    assertThat(m.accept("T")).isEmpty();
    assertThat(m.accept("ORE")).isEqualTo("STORE");
    assertThat(m.matched()).isFalse();
    assertThat(m.accept(" ST")).isEqualTo(" ");
    assertThat(m.accept("OP and more")).isEmpty();
    assertThat(m.matched()).isTrue();
    assertThat(m.accept("ignored")).isEmpty();
    assertThat(m.flush()).isEmpty();
  }

  @Test
  void earliestOfSeveralSequencesWinsAndFlushReleasesAPartialTail() {
    StopSequenceMatcher m = new StopSequenceMatcher(List.of("xyz", "b", ""));
    assertThat(m.accept("a xy b xyz")).isEqualTo("a xy ");
    StopSequenceMatcher tail = new StopSequenceMatcher(List.of("xyz"));
    assertThat(tail.accept("a x")).isEqualTo("a ");
    assertThat(tail.flush()).isEqualTo("x");
    assertThat(new StopSequenceMatcher(List.of()).accept("anything")).isEqualTo("anything");
  }

  /** Seeded property loop: for random texts split at random points the output is always the prefix before the first match. */
  @Test
  void randomSplitsNeverLeakOrLoseText() {
    long seed = 7;
    Random rnd = new Random(seed);
    List<String> stops = List.of("aab", "ba", "\n\n");
    for (int run = 0; run < 5000; run++) {
      StringBuilder text = new StringBuilder();
      int len = rnd.nextInt(30);
      for (int i = 0; i < len; i++) text.append("ab\nc".charAt(rnd.nextInt(4)));
      StopSequenceMatcher m = new StopSequenceMatcher(stops);
      StringBuilder out = new StringBuilder();
      for (int i = 0; i < text.length(); ) {
        int n = 1 + rnd.nextInt(4);
        out.append(m.accept(text.substring(i, Math.min(text.length(), i + n))));
        i += n;
      }
      out.append(m.flush());
      int cut = text.length();
      for (String s : stops) {
        int at = text.indexOf(s);
        if (at >= 0) cut = Math.min(cut, at);
      }
      assertThat(out.toString()).as("seed %d run %d text [%s]", seed, run, text).isEqualTo(text.substring(0, cut));
      assertThat(m.matched()).isEqualTo(cut < text.length());
    }
  }
}
