package io.qbridge.config;

import java.util.List;

/**
 * The configuration cannot be used. Carries every problem found in one pass (bad values from any
 * source, malformed files, conflicting files) so an operator fixes them all at once; the message
 * has a header line followed by one problem per line, each naming the key or file and where the
 * value came from. Messages never contain secret values. Stack traces are off: this is an expected,
 * user-facing failure, not a programming error.
 */
public final class ConfigException extends RuntimeException {

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(format(problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** The individual problems, in the order they were found; never empty. */
  public List<String> problems() {
    return problems;
  }

  private static String format(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a ConfigException needs at least one problem");
    }
    StringBuilder sb = new StringBuilder("Invalid configuration (")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem):" : " problems):");
    for (String p : problems) {
      sb.append("\n  ").append(p);
    }
    return sb.toString();
  }
}
