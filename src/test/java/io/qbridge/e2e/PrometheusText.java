package io.qbridge.e2e;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads samples out of a Prometheus text exposition, as a scraper would. */
final class PrometheusText {

  private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  record Sample(String name, Map<String, String> labels, double value) {}

  private PrometheusText() {}

  static List<Sample> parse(String text) {
    return text.lines().filter(l -> !l.startsWith("#") && !l.isBlank()).map(l -> {
      Matcher m = LINE.matcher(l);
      if (!m.matches()) throw new AssertionError("not a sample line: " + l);
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(2) != null) {
        Matcher lm = LABEL.matcher(m.group(2));
        while (lm.find()) labels.put(lm.group(1), lm.group(2));
      }
      return new Sample(m.group(1), labels, Double.parseDouble(m.group(3)));
    }).toList();
  }

  /** The value of the one sample with that name and exactly those labels among others; 0 when absent. */
  static double value(String text, String name, String... labels) {
    Map<String, String> want = new HashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) want.put(labels[i], labels[i + 1]);
    return parse(text).stream().filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(want.entrySet()))
        .mapToDouble(Sample::value).sum();
  }
}
