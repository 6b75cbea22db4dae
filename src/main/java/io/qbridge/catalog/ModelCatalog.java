package io.qbridge.catalog;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The models one account may use, in the order Amazon Q listed them. Immutable.
 *
 * @param models         entries by id (first occurrence wins when a page repeats one)
 * @param defaultModelId {@code defaultModel.modelId}, or {@code null}
 * @param fetched        true for an account's own {@code ListAvailableModels} answer, false for the
 *                       static fallback an account keeps while its catalog cannot be fetched
 */
public record ModelCatalog(Map<String, ModelInfo> models, String defaultModelId, boolean fetched) {

  public ModelCatalog {
    models = Collections.unmodifiableMap(new LinkedHashMap<>(models));
  }

  public static ModelCatalog of(List<ModelInfo> models, String defaultModelId, boolean fetched) {
    Map<String, ModelInfo> byId = new LinkedHashMap<>();
    for (ModelInfo m : models) byId.putIfAbsent(m.id(), m);
    return new ModelCatalog(byId, defaultModelId, fetched);
  }

  /** A static catalog of {@code ids}, each with the same limits (0 = unknown). */
  public static ModelCatalog ofIds(List<String> ids, int contextWindow, int maxOutput) {
    List<ModelInfo> list = new ArrayList<>();
    for (String id : ids) list.add(new ModelInfo(id, null, contextWindow, maxOutput));
    return of(list, ids.isEmpty() ? null : ids.get(0), false);
  }

  public boolean has(String modelId) { return models.containsKey(modelId); }

  /** The entry, or {@code null}. */
  public ModelInfo get(String modelId) { return models.get(modelId); }

  public List<String> ids() { return List.copyOf(models.keySet()); }

  public boolean isEmpty() { return models.isEmpty(); }

  /** This catalog without {@code modelId} (after Amazon Q answered {@code INVALID_MODEL_ID} for it). */
  public ModelCatalog without(String modelId) {
    if (!has(modelId)) return this;
    Map<String, ModelInfo> copy = new LinkedHashMap<>(models);
    copy.remove(modelId);
    return new ModelCatalog(copy, modelId.equals(defaultModelId) ? null : defaultModelId, fetched);
  }

  /** The storage/admin form: {@code {models:[…], defaultModel?, fetched}}. */
  public JsonObject toJson() {
    JsonArray list = new JsonArray();
    models.values().forEach(m -> list.add(m.toJson()));
    JsonObject o = new JsonObject().put("models", list).put("fetched", fetched);
    if (defaultModelId != null) o.put("defaultModel", defaultModelId);
    return o;
  }

  /** Reads {@link #toJson()}'s form leniently; {@code null} when {@code o} is not one. */
  public static ModelCatalog fromJson(JsonObject o) {
    if (o == null || !(o.getValue("models") instanceof JsonArray arr)) return null;
    List<ModelInfo> list = new ArrayList<>();
    for (Object e : arr) {
      ModelInfo m = e instanceof JsonObject j ? ModelInfo.fromJson(j) : null;
      if (m != null) list.add(m);
    }
    return of(list, o.getValue("defaultModel") instanceof String d ? d : null, !(o.getValue("fetched") instanceof Boolean f) || f);
  }
}
