package io.qbridge.routing;

import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * The scheduler's policy among usable accounts: a weighted random choice, weight = remaining quota
 * fraction ÷ (1 + requests in flight). An account with 90 % of its quota left is chosen about nine
 * times as often as one with 10 %, so quotas drain evenly instead of one account after another;
 * dividing by the load spreads concurrent requests even when quotas are equal or unknown (unknown
 * counts as full). A floor keeps nearly drained accounts in play at a low rate (they still answer
 * until their limit; exhausted ones are filtered out before). Deterministic for a given random source.
 */
public final class WeightedPick {

  /** Least weight of a usable account, so a fraction near 0 does not starve it completely. */
  static final double MIN_FRACTION = 0.02;

  /**
   * @param remainingFraction quota left, 0..1 (1 when unknown)
   * @param inFlight          live requests on the account
   */
  public record Candidate(String accountId, double remainingFraction, int inFlight) {}

  private WeightedPick() {}

  public static double weight(Candidate c) {
    double f = Double.isFinite(c.remainingFraction()) ? Math.min(1, Math.max(MIN_FRACTION, c.remainingFraction())) : 1;
    return f / (1 + Math.max(0, c.inFlight()));
  }

  /** The chosen account id, {@code null} for no candidates; {@code random} yields values in [0, 1). */
  public static String pick(List<Candidate> candidates, DoubleSupplier random) {
    if (candidates.isEmpty()) return null;
    double total = 0;
    for (Candidate c : candidates) total += weight(c);
    double r = random.getAsDouble() * total;
    for (Candidate c : candidates) {
      r -= weight(c);
      if (r < 0) return c.accountId();
    }
    return candidates.get(candidates.size() - 1).accountId();
  }
}
