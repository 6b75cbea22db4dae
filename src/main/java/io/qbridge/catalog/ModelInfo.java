package io.qbridge.catalog;

import io.vertx.core.json.JsonObject;

/**
 * One model of an account's catalog.
 *
 * @param id            the Amazon Q {@code modelId} (goes into {@code userInputMessage.modelId})
 * @param displayName   {@code modelName}, or the id when the catalog gives none
 * @param contextWindow {@code tokenLimits.maxInputTokens}; 0 when unknown
 * @param maxOutput     {@code tokenLimits.maxOutputTokens}; 0 when unknown
 */
public record ModelInfo(String id, String displayName, int contextWindow, int maxOutput) {

  public ModelInfo {
    if (id == null || id.isEmpty()) throw new IllegalArgumentException("model id is required");
    displayName = displayName == null || displayName.isBlank() ? id : displayName;
    contextWindow = Math.max(0, contextWindow);
    maxOutput = Math.max(0, maxOutput);
  }

  /** The storage/admin form: {@code {id, name, contextWindow?, maxOutput?}} (unknown limits omitted). */
  public JsonObject toJson() {
    JsonObject o = new JsonObject().put("id", id).put("name", displayName);
    if (contextWindow > 0) o.put("contextWindow", contextWindow);
    if (maxOutput > 0) o.put("maxOutput", maxOutput);
    return o;
  }

  /** Reads {@link #toJson()}'s form; {@code null} when there is no id. */
  public static ModelInfo fromJson(JsonObject o) {
    if (o == null || !(o.getValue("id") instanceof String id) || id.isEmpty()) return null;
    return new ModelInfo(id, o.getValue("name") instanceof String n ? n : null,
        ModelCatalogParser.intOf(o.getValue("contextWindow")), ModelCatalogParser.intOf(o.getValue("maxOutput")));
  }
}
