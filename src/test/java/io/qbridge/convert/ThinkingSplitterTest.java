package io.qbridge.convert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThinkingSplitterTest {

  record Seg(boolean thinking, String text) {}

  static List<Seg> run(List<String> fragments) {
    List<Seg> raw = new ArrayList<>();
    ThinkingSplitter s = new ThinkingSplitter((t, x) -> raw.add(new Seg(t, x)));
    fragments.forEach(s::accept);
    s.flush();
    // merge adjacent same-kind segments: the split points are an implementation detail
    List<Seg> merged = new ArrayList<>();
    for (Seg seg : raw) {
      assertThat(seg.text()).isNotEmpty();
      if (!merged.isEmpty() && merged.get(merged.size() - 1).thinking() == seg.thinking()) {
        Seg last = merged.remove(merged.size() - 1);
        merged.add(new Seg(seg.thinking(), last.text() + seg.text()));
      } else {
        merged.add(seg);
      }
    }
    return merged;
  }

  static final String INPUT = "<thinking>\nLet me think about <b>this</b>.\n</thinking>\n\nThe answer is 42 < 43.";
  static final List<Seg> EXPECTED = List.of(
      new Seg(true, "Let me think about <b>this</b>.\n"), new Seg(false, "The answer is 42 < 43."));

  @Test
  void tagsSplitAtEveryPositionGiveTheSameSegments() {
    for (int i = 0; i <= INPUT.length(); i++) {
      for (int j = i; j <= INPUT.length(); j++) {
        List<String> parts = List.of(INPUT.substring(0, i), INPUT.substring(i, j), INPUT.substring(j));
        assertThat(run(parts)).as("split at %d,%d", i, j).isEqualTo(EXPECTED);
      }
    }
  }

  @Test
  void characterByCharacterAndRandomChunks() {
    List<String> chars = INPUT.chars().mapToObj(c -> String.valueOf((char) c)).toList();
    assertThat(run(chars)).isEqualTo(EXPECTED);
    Random r = new Random(7);
    for (int n = 0; n < 500; n++) {
      List<String> parts = new ArrayList<>();
      int at = 0;
      while (at < INPUT.length()) {
        int len = 1 + r.nextInt(8);
        parts.add(INPUT.substring(at, Math.min(INPUT.length(), at + len)));
        at += len;
      }
      assertThat(run(parts)).isEqualTo(EXPECTED);
    }
  }

  @Test
  void textWithoutTagsPassesThroughAndPartialTagsAreFlushedAtEnd() {
    assertThat(run(List.of("plain ", "text"))).containsExactly(new Seg(false, "plain text"));
    assertThat(run(List.of("ends with <thin"))).containsExactly(new Seg(false, "ends with <thin"));
    assertThat(run(List.of("<thinking>never closed"))).containsExactly(new Seg(true, "never closed"));
  }

  @Test
  void severalThinkingBlocksAlternate() {
    assertThat(run(List.of("<thinking>a</thinking>b<thinking>c</thinking>d"))).containsExactly(
        new Seg(true, "a"), new Seg(false, "b"), new Seg(true, "c"), new Seg(false, "d"));
  }

  @Test
  void partialSuffixDetection() {
    assertThat(ThinkingSplitter.partialTagSuffix("abc<thi", "<thinking>")).isEqualTo(4);
    assertThat(ThinkingSplitter.partialTagSuffix("abc<", "<thinking>")).isEqualTo(1);
    assertThat(ThinkingSplitter.partialTagSuffix("abc", "<thinking>")).isZero();
    assertThat(ThinkingSplitter.partialTagSuffix("x</thinking", "</thinking>")).isEqualTo(10);
  }
}
