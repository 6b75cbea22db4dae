package io.qbridge.convert;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps client model names to Amazon Q {@code modelId}s (protocol doc §2.9). Exact Q ids pass
 * through; dated Anthropic names ({@code claude-sonnet-4-5-20250929}) and dash-versions
 * ({@code claude-opus-4-5}) are normalised; unknown names fall back by family so that new client
 * releases (e.g. {@code claude-opus-4-8}) keep working instead of failing with 400.
 *
 * <p>One mapper for both worlds: {@link #toQModel} resolves against the static list {@link
 * #Q_MODELS}; {@link #resolve} against the ids an account's catalog actually lists (issue 13), with
 * the same normalisation ({@link #toCatalogId}) and the same family fallback.
 */
public final class ModelMapper {

  public static final String DEFAULT_MODEL = "claude-sonnet-4.5";

  /** Model ids Amazon Q accepts (Flavour A). {@code auto} is deliberately absent (q2api e55121a). */
  public static final List<String> Q_MODELS = List.of(
      "claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5", "claude-opus-4.5", "claude-3.7-sonnet");

  /** Anthropic's dated names of the models in {@link #Q_MODELS}; each resolves to its Q id. */
  public static final List<String> DATED_NAMES = List.of(
      "claude-sonnet-4-5-20250929", "claude-sonnet-4-20250514", "claude-haiku-4-5-20251001",
      "claude-opus-4-5-20251101", "claude-3-7-sonnet-20250219");

  private static final Map<String, String> ALIASES = Map.of(
      "claude-3-5-sonnet-20241022", "claude-sonnet-4.5",
      "claude-3-5-sonnet-20240620", "claude-sonnet-4.5",
      "claude-3-5-sonnet-latest", "claude-sonnet-4.5",
      "claude-3-7-sonnet-20250219", "claude-3.7-sonnet",
      "claude-3-7-sonnet-latest", "claude-3.7-sonnet");

  private static final Pattern DATE_SUFFIX = Pattern.compile("-(\\d{8}|latest)$");
  private static final Pattern DASH_VERSION = Pattern.compile("(\\d)-(\\d)");
  private static final List<String> CLAUDE_FAMILIES = List.of("opus", "sonnet", "haiku");
  private static final Pattern VENDOR = Pattern.compile("^([a-z]+)");
  private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

  private ModelMapper() {}

  /**
   * Every client name resolved by an exact rule rather than the family fallback, for model lists:
   * the Q ids, the dated Anthropic names, then the legacy aliases (sorted).
   */
  public static List<String> knownNames() {
    List<String> names = new java.util.ArrayList<>(Q_MODELS);
    names.addAll(DATED_NAMES);
    ALIASES.keySet().stream().filter(a -> !names.contains(a)).sorted().forEach(names::add);
    return List.copyOf(names);
  }

  /**
   * Amazon Q model id for a client model name against the static list {@link #Q_MODELS}; never
   * null. The same rules as {@link #resolve} (exact after normalisation, else the closest model of
   * the family, else {@link #DEFAULT_MODEL}).
   */
  public static String toQModel(String clientModel) {
    return resolve(clientModel, Q_MODELS, DEFAULT_MODEL).modelId();
  }

  /**
   * The catalog id a client name stands for, without any fallback: lower-cased, a {@code vendor/}
   * prefix dropped, legacy aliases applied, a date or {@code -latest} suffix removed and dash
   * versions dotted ({@code claude-opus-4-5-20251101} → {@code claude-opus-4.5}). Names that are
   * already catalog ids ({@code deepseek-3.2}, {@code claude-3.7-sonnet}) come back unchanged;
   * {@code null} or blank gives {@link #DEFAULT_MODEL}.
   */
  public static String toCatalogId(String clientModel) {
    if (clientModel == null || clientModel.isBlank()) return DEFAULT_MODEL;
    String m = clientModel.trim().toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/');
    if (slash >= 0) m = m.substring(slash + 1); // "anthropic/claude-sonnet-4.5" style prefixes
    String alias = ALIASES.get(m);
    if (alias != null) return alias;
    return DASH_VERSION.matcher(DATE_SUFFIX.matcher(m).replaceAll("")).replaceAll("$1.$2");
  }

  /**
   * How a client model name is served by a set of available ids.
   *
   * @param modelId the id to send, or {@code null} when {@code available} is empty
   * @param exact   whether it is the model asked for (false: a fallback the client should be told about)
   */
  public record Resolution(String modelId, boolean exact) {}

  /**
   * Resolves {@code clientModel} against {@code available} (an account's or the union of accounts'
   * catalog ids): the {@link #toCatalogId catalog id} when available; else the closest model of
   * the same family ({@code opus}, {@code sonnet}, {@code haiku}, or a vendor prefix such as
   * {@code deepseek}) by version distance, the newer one on a tie; else {@code preferred} when
   * available (the default model); else the newest Sonnet; else the first available id.
   */
  public static Resolution resolve(String clientModel, Collection<String> available, String preferred) {
    String wanted = toCatalogId(clientModel);
    if (available.contains(wanted)) return new Resolution(wanted, true);
    if (available.isEmpty()) return new Resolution(null, false);
    String family = family(wanted);
    String best = family == null ? null : closestInFamily(wanted, family, available);
    if (best == null && preferred != null && available.contains(preferred)) best = preferred;
    if (best == null) best = closestInFamily(wanted, "sonnet", available);
    if (best == null) best = available.iterator().next();
    return new Resolution(best, false);
  }

  private static String closestInFamily(String wanted, String family, Collection<String> available) {
    long target = version(wanted);
    String best = null;
    long bestDistance = Long.MAX_VALUE;
    long bestVersion = -1;
    for (String id : available) {
      if (!family.equals(family(id))) continue;
      long v = version(id);
      long distance = target < 0 ? -v : Math.abs(v - target); // no version asked: the newest
      if (distance < bestDistance || (distance == bestDistance && v > bestVersion)) {
        best = id;
        bestDistance = distance;
        bestVersion = v;
      }
    }
    return best;
  }

  /** {@code opus}/{@code sonnet}/{@code haiku} for Claude ids, else the leading letters ({@code deepseek-3.2} → {@code deepseek}). */
  static String family(String id) {
    for (String f : CLAUDE_FAMILIES) {
      if (id.contains(f)) return f;
    }
    Matcher m = VENDOR.matcher(id);
    return m.find() && !m.group(1).equals("claude") ? m.group(1) : null;
  }

  /** First two version numbers as major*1000+minor ({@code claude-3.7-sonnet} → 3007, {@code claude-sonnet-4} → 4000); -1 without any. */
  static long version(String id) {
    Matcher m = VERSION.matcher(id);
    if (!m.find()) return -1;
    long major = Long.parseLong(m.group(1).length() > 6 ? m.group(1).substring(0, 6) : m.group(1));
    long minor = m.group(2) == null ? 0 : Long.parseLong(m.group(2).length() > 3 ? m.group(2).substring(0, 3) : m.group(2));
    return major * 1000 + minor;
  }
}
