package io.qbridge.convert;

import java.util.List;

/**
 * Ends streamed text at the first occurrence of any stop sequence, which Amazon Q does not support
 * itself (protocol doc §2.10). Fragments arrive in arbitrary pieces, so a stop sequence may be
 * split across them ({@code "EN"} + {@code "D"}): text that could be the start of a stop sequence
 * is held back until the next fragment decides, everything else is released at once. The stop
 * sequence itself is never released (OpenAI semantics). Not thread-safe; one per response.
 */
public final class StopSequenceMatcher {

  private final List<String> stops;
  private final StringBuilder pending = new StringBuilder();
  private boolean matched;
  private String matchedSequence;

  /** @param stops stop sequences; empty strings are ignored */
  public StopSequenceMatcher(List<String> stops) {
    this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
  }

  /** True once a stop sequence was seen; all later input is dropped. */
  public boolean matched() { return matched; }

  /** The stop sequence that matched (Anthropic reports it), or null. */
  public String matchedSequence() { return matchedSequence; }

  /**
   * Feeds a fragment and returns the text that is safe to release now: everything before a match
   * (then {@link #matched()} turns true), or everything except a possible partial match at the end.
   */
  public String accept(String fragment) {
    if (matched) return "";
    if (stops.isEmpty()) return fragment;
    pending.append(fragment);
    int at = firstMatch();
    if (at >= 0) {
      matched = true;
      String out = pending.substring(0, at);
      pending.setLength(0);
      return out;
    }
    int keep = longestPartialMatch();
    String out = pending.substring(0, pending.length() - keep);
    pending.delete(0, pending.length() - keep);
    return out;
  }

  /** The text is over (or interrupted by a tool call): what was held back is plain text after all. */
  public String flush() {
    String out = pending.toString();
    pending.setLength(0);
    return out;
  }

  private int firstMatch() {
    int best = -1;
    for (String s : stops) {
      int at = pending.indexOf(s);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        matchedSequence = s;
      }
    }
    return best;
  }

  /** Length of the longest suffix of the pending text that is a proper prefix of some stop sequence. */
  private int longestPartialMatch() {
    int best = 0;
    for (String s : stops) best = Math.max(best, ThinkingSplitter.partialTagSuffix(pending, s));
    return best;
  }
}
