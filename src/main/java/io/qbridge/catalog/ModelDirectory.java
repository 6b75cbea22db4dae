package io.qbridge.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the gateway as a whole can serve: the union of the enabled accounts' fetched catalogs, or
 * the static fallback when no account has answered {@code ListAvailableModels} yet. The HTTP side
 * keeps one (published by the pool whenever a catalog changes) to resolve client model names, list
 * {@code /v1/models}, and size the context check and {@code max_tokens} per model. Which account
 * may take a given model is the pool's business, not this view's. Immutable.
 *
 * <p>When accounts disagree on a model's limits (plans differ), the larger window and output are
 * kept: the request may still go to the account that offers them.
 *
 * @param models       by id, in first-seen order
 * @param fromAccounts true when at least one account's own catalog contributed
 */
public record ModelDirectory(Map<String, ModelInfo> models, boolean fromAccounts) {

  public ModelDirectory {
    models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models));
  }

  /** The union of the {@link ModelCatalog#fetched() fetched} catalogs, else {@code fallback}. */
  public static ModelDirectory union(Collection<ModelCatalog> catalogs, ModelCatalog fallback) {
    Map<String, ModelInfo> union = new LinkedHashMap<>();
    boolean any = false;
    for (ModelCatalog c : catalogs) {
      if (c == null || !c.fetched()) continue;
      any = true;
      for (ModelInfo m : c.models().values()) union.merge(m.id(), m, ModelDirectory::wider);
    }
    if (!any) return new ModelDirectory(fallback.models(), false);
    return new ModelDirectory(union, true);
  }

  private static ModelInfo wider(ModelInfo a, ModelInfo b) {
    return new ModelInfo(a.id(), a.displayName().equals(a.id()) ? b.displayName() : a.displayName(),
        Math.max(a.contextWindow(), b.contextWindow()), Math.max(a.maxOutput(), b.maxOutput()));
  }

  public List<String> ids() { return List.copyOf(models.keySet()); }

  /** The entry, or {@code null}. */
  public ModelInfo get(String id) { return models.get(id); }

  /** The bus form: {@code {models:[ModelInfo…], fromAccounts}}. */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    models.values().forEach(m -> list.add(m.toJson()));
    return new JsonObject().put("models", list).put("fromAccounts", fromAccounts);
  }

  /** Reads {@link #toJson()}'s form; {@code null} when it is not one. */
  public static ModelDirectory fromJson(JsonObject o) {
    if (o == null || !(o.getValue("models") instanceof JsonArray arr)) return null;
    List<ModelInfo> list = new ArrayList<>();
    for (Object e : arr) {
      ModelInfo m = e instanceof JsonObject j ? ModelInfo.fromJson(j) : null;
      if (m != null) list.add(m);
    }
    Map<String, ModelInfo> byId = new LinkedHashMap<>();
    list.forEach(m -> byId.putIfAbsent(m.id(), m));
    return new ModelDirectory(byId, Boolean.TRUE.equals(o.getValue("fromAccounts")));
  }
}
