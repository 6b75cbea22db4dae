package io.qbridge.convert;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Maps client model names to Amazon Q {@code modelId}s (protocol doc §2.9). Exact Q ids pass
 * through; dated Anthropic names ({@code claude-sonnet-4-5-20250929}) and dash-versions
 * ({@code claude-opus-4-5}) are normalised; unknown names fall back by family so that new client
 * releases (e.g. {@code claude-opus-4-8}) keep working instead of failing with 400.
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

  /** Amazon Q model id for a client model name; never null. */
  public static String toQModel(String clientModel) {
    if (clientModel == null || clientModel.isBlank()) return DEFAULT_MODEL;
    String m = clientModel.trim().toLowerCase(Locale.ROOT);
    int slash = m.lastIndexOf('/');
    if (slash >= 0) m = m.substring(slash + 1); // "anthropic/claude-sonnet-4.5" style prefixes
    String alias = ALIASES.get(m);
    if (alias != null) return alias;
    String normalised = DASH_VERSION.matcher(DATE_SUFFIX.matcher(m).replaceAll("")).replaceAll("$1.$2");
    if (Q_MODELS.contains(normalised)) return normalised;
    if (normalised.contains("opus")) return "claude-opus-4.5";
    if (normalised.contains("haiku")) return "claude-haiku-4.5";
    return DEFAULT_MODEL;
  }
}
