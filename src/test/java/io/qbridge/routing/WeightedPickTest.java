package io.qbridge.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qbridge.routing.WeightedPick.Candidate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WeightedPickTest {

  @Test
  void choosesInProportionToRemainingQuota() {
    Random random = new Random(7);
    Map<String, Integer> counts = new HashMap<>();
    List<Candidate> c = List.of(new Candidate("full", 0.9, 0), new Candidate("low", 0.1, 0));
    for (int i = 0; i < 20_000; i++) counts.merge(WeightedPick.pick(c, random::nextDouble), 1, Integer::sum);
    assertThat(counts.get("full") / (double) counts.get("low")).isCloseTo(9.0, within(0.8));
  }

  @Test
  void loadDividesTheWeight() {
    assertThat(WeightedPick.weight(new Candidate("a", 1.0, 3))).isEqualTo(0.25);
    assertThat(WeightedPick.weight(new Candidate("a", 0.0, 0))).isEqualTo(WeightedPick.MIN_FRACTION);
    assertThat(WeightedPick.weight(new Candidate("a", Double.NaN, 0))).isEqualTo(1.0);
  }

  @Test
  void quotasDrainTogetherNotOneAfterAnother() {
    // three accounts of 100 units, one starting half used; each pick uses one unit. Weights follow
    // the remaining fraction, so every account drains at the same relative rate and none runs dry
    // while the others still have plenty (one-at-a-time draining would empty two of them first)
    double[] used = {50, 0, 0};
    Random random = new Random(11);
    for (int i = 0; i < 220; i++) {
      List<Candidate> c = List.of(cand("0", used[0]), cand("1", used[1]), cand("2", used[2]));
      used[Integer.parseInt(WeightedPick.pick(c, random::nextDouble))]++;
    }
    // 30 units left in total, expected about 6 / 12 / 12
    for (double u : used) assertThat(100 - u).isBetween(1.0, 25.0);
  }

  @Test
  void edgeCases() {
    assertThat(WeightedPick.pick(List.of(), () -> 0.5)).isNull();
    assertThat(WeightedPick.pick(List.of(new Candidate("only", 0.0, 9)), () -> 0.999999)).isEqualTo("only");
  }

  private static Candidate cand(String id, double used) {
    return new Candidate(id, (100 - used) / 100, 0);
  }
}
