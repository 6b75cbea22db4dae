package io.qbridge.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads {@code ListAvailableModels} answers the way the generated clients do: unknown keys are
 * ignored, a missing {@code models} is an empty list, a model without {@code modelId} is skipped,
 * numbers may come as integers, doubles ({@code 2.0E5}) or numeric strings. Token limits come from
 * {@code tokenLimits} and, for the oldest shape, {@code modelMetadata.maxInputTokens}.
 */
public final class ModelCatalogParser {

  /** Pages followed at most per fetch; peers cap theirs at 10 and live catalogs fit in one. */
  public static final int MAX_PAGES = 10;

  private ModelCatalogParser() {}

  /** One page: its models, its {@code defaultModel} (or {@code null}), its {@code nextToken} (or {@code null}). */
  public record Page(List<ModelInfo> models, ModelInfo defaultModel, String nextToken) {}

  public static Page parsePage(JsonObject body) {
    List<ModelInfo> models = new ArrayList<>();
    if (body != null && body.getValue("models") instanceof JsonArray arr) {
      for (Object o : arr) {
        ModelInfo m = o instanceof JsonObject j ? model(j) : null;
        if (m != null) models.add(m);
      }
    }
    ModelInfo def = body != null && body.getValue("defaultModel") instanceof JsonObject d ? model(d) : null;
    String next = body != null && body.getValue("nextToken") instanceof String t ? t : null;
    return new Page(models, def, next);
  }

  /** One {@code Model} object; {@code null} without a usable {@code modelId}. */
  static ModelInfo model(JsonObject o) {
    if (!(o.getValue("modelId") instanceof String id) || id.isBlank()) return null;
    int window = 0;
    int output = 0;
    if (o.getValue("tokenLimits") instanceof JsonObject limits) {
      window = intOf(limits.getValue("maxInputTokens"));
      output = intOf(limits.getValue("maxOutputTokens"));
    }
    if (window == 0 && o.getValue("modelMetadata") instanceof JsonObject meta) {
      window = intOf(meta.getValue("maxInputTokens"));
    }
    return new ModelInfo(id.trim(), o.getValue("modelName") instanceof String n ? n : null, window, output);
  }

  /** A non-negative int from a JSON number or numeric string; 0 for anything else. */
  static int intOf(Object v) {
    double d;
    if (v instanceof Number n) {
      d = n.doubleValue();
    } else if (v instanceof String s) {
      try {
        d = Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        return 0;
      }
    } else {
      return 0;
    }
    if (!(d > 0)) return 0; // also NaN
    return d >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) d;
  }

  /**
   * Follows {@code nextToken} the way the official paginator does, and bounded: stops when a page
   * has no token or an empty one, when the server repeats the token it was sent or any earlier
   * one (a loop), or after {@value #MAX_PAGES} pages. Models are concatenated (first occurrence of
   * an id wins); the default model is the first page's, as in the official CLI. Not thread-safe:
   * one per fetch.
   */
  public static final class PageWalk {
    private final int maxPages;
    private final List<ModelInfo> models = new ArrayList<>();
    private final Set<String> tokensSent = new HashSet<>();
    private ModelInfo defaultModel;
    private int pages;
    private boolean truncated;

    public PageWalk() { this(MAX_PAGES); }

    public PageWalk(int maxPages) { this.maxPages = Math.max(1, maxPages); }

    /**
     * Adds a page received for {@code sentToken} ({@code null} for the first request); returns the
     * token to request next, or {@code null} when the walk is over.
     */
    public String add(Page page, String sentToken) {
      if (sentToken != null) tokensSent.add(sentToken);
      if (pages == 0) defaultModel = page.defaultModel();
      pages++;
      models.addAll(page.models());
      String next = page.nextToken();
      if (next == null || next.isEmpty() || tokensSent.contains(next)) return null;
      if (pages >= maxPages) {
        truncated = true;
        return null;
      }
      return next;
    }

    public int pages() { return pages; }

    /** Whether the walk stopped at the page bound while the server still offered a token. */
    public boolean truncated() { return truncated; }

    /** The catalog of every page added. */
    public ModelCatalog catalog() {
      List<ModelInfo> all = new ArrayList<>(models);
      return ModelCatalog.of(all, defaultModel == null ? null : defaultModel.id(), true);
    }
  }
}
