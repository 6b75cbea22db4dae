package io.qbridge.api.responses;

import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * {@code GET /v1/responses/{id}/input_items}: the items that were the model's input for a stored
 * response (the conversation it continued, then the request's own input), as OpenAI's paged list.
 *
 * <p>The store keeps the conversation in the internal shape the request parser produced (images as
 * format + base64, no item ids), so each item is put back into OpenAI's public shape here. Items
 * the client sent without an id get one derived from the response id and the item's position:
 * stable across calls, so {@code after} cursors keep working.
 */
final class ResponsesInputItems {

  static final int DEFAULT_LIMIT = 20;
  static final int MAX_LIMIT = 100;

  /** The query of one page: how many, which order, and after which item id (null: from the start). */
  record Page(int limit, boolean ascending, String after) {

    /** Reads {@code limit}, {@code order} and {@code after}; bad values are a 400 naming the parameter. */
    static Page of(String limit, String order, String after) {
      int n = DEFAULT_LIMIT;
      if (limit != null) {
        try {
          n = Integer.parseInt(limit.trim());
        } catch (NumberFormatException e) {
          n = -1;
        }
        if (n < 1 || n > MAX_LIMIT) {
          throw GatewayException.badRequest("limit: must be an integer from 1 to " + MAX_LIMIT + ", got '" + limit + "'");
        }
      }
      if (order != null && !order.equals("asc") && !order.equals("desc")) {
        throw GatewayException.badRequest("order: must be 'asc' or 'desc', got '" + order + "'");
      }
      return new Page(n, "asc".equals(order), after == null || after.isEmpty() ? null : after);
    }
  }

  private ResponsesInputItems() {}

  /**
   * One page of the input items of {@code response}, whose stored conversation is {@code items}
   * (input items followed by the response's own output items).
   */
  static JsonObject list(String responseId, JsonObject response, JsonArray items, Page page) {
    JsonArray output = response.getJsonArray("output", new JsonArray());
    int inputs = Math.max(0, items.size() - output.size());
    JsonArray all = new JsonArray();
    for (int i = 0; i < inputs; i++) {
      if (items.getValue(i) instanceof JsonObject item) all.add(publicItem(responseId, i, item));
    }
    int start = 0;
    if (page.after() != null) {
      start = -1;
      for (int i = 0; i < all.size(); i++) {
        if (page.after().equals(all.getJsonObject(ordered(i, all.size(), page)).getString("id"))) {
          start = i + 1;
          break;
        }
      }
      if (start < 0) throw GatewayException.badRequest("after: no input item '" + page.after() + "' in response " + responseId);
    }
    JsonArray data = new JsonArray();
    for (int i = start; i < all.size() && data.size() < page.limit(); i++) {
      data.add(all.getJsonObject(ordered(i, all.size(), page)));
    }
    boolean hasMore = start + data.size() < all.size();
    return new JsonObject().put("object", "list").put("data", data)
        .put("first_id", data.isEmpty() ? null : data.getJsonObject(0).getString("id"))
        .put("last_id", data.isEmpty() ? null : data.getJsonObject(data.size() - 1).getString("id"))
        .put("has_more", hasMore);
  }

  /** The index in stored order of the {@code i}-th item of the requested order. */
  private static int ordered(int i, int size, Page page) {
    return page.ascending() ? i : size - 1 - i;
  }

  /** The item in OpenAI's public shape, with an id and a status. */
  private static JsonObject publicItem(String responseId, int index, JsonObject stored) {
    JsonObject item = stored.copy();
    String type = item.getString("type", "message");
    if (type.equals("message")) item.put("content", publicContent(item.getJsonArray("content", new JsonArray())));
    if (type.equals("function_call") && item.getValue("namespace") == null) item.remove("namespace");
    if (type.equals("reasoning") && item.getValue("encrypted_content") == null) item.remove("encrypted_content");
    if (!(item.getValue("id") instanceof String)) item.put("id", derivedId(responseId, index, type));
    if (!type.equals("reasoning") && !item.containsKey("status")) item.put("status", "completed");
    return item;
  }

  private static JsonArray publicContent(JsonArray parts) {
    JsonArray out = new JsonArray();
    for (int i = 0; i < parts.size(); i++) {
      if (!(parts.getValue(i) instanceof JsonObject part)) continue;
      if ("input_image".equals(part.getString("type")) && part.containsKey("data")) {
        out.add(new JsonObject().put("type", "input_image").put("detail", "auto")
            .put("image_url", "data:image/" + part.getString("format") + ";base64," + part.getString("data")));
      } else if ("output_text".equals(part.getString("type")) && !part.containsKey("annotations")) {
        out.add(part.copy().put("annotations", new JsonArray()));
      } else {
        out.add(part);
      }
    }
    return out;
  }

  /** {@code msg_<response id's suffix>_<index>}, {@code fc_…}, {@code fco_…}, {@code rs_…}. */
  static String derivedId(String responseId, int index, String type) {
    String prefix = switch (type) {
      case "function_call" -> "fc";
      case "function_call_output" -> "fco";
      case "reasoning" -> "rs";
      default -> "msg";
    };
    int underscore = responseId.indexOf('_');
    return prefix + "_" + responseId.substring(underscore + 1) + "_" + index;
  }
}
