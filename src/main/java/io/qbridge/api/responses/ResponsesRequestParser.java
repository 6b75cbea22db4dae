package io.qbridge.api.responses;

import io.qbridge.convert.Conversation.ToolSpec;
import io.qbridge.convert.RequestFields;
import io.qbridge.error.GatewayException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Parses and validates a {@code POST /v1/responses} body. Every rejection is a 400 whose message
 * starts with the offending field in OpenAI's notation ({@code input[2].content[0].image_url});
 * unknown fields are accepted and ignored. Input items are validated here, once, and kept as JSON
 * so they can be stored for {@code previous_response_id}; {@link ResponsesConversation} turns them
 * into the shared conversation.
 */
final class ResponsesRequestParser {

  /** {@code reasoning.effort} → thinking length hint; medium (and unknown efforts) use the builder's default. */
  private static final Map<String, Integer> EFFORT_BUDGET = Map.of("minimal", 1024, "low", 4096, "medium", 0, "high", 24_576, "xhigh", 32_000);
  /** Hosted tools OpenAI runs itself, and freeform custom tools: Amazon Q cannot run them, so they are accepted and not offered. */
  private static final Set<String> NOT_OFFERED = Set.of("web_search", "web_search_preview", "web_search_preview_2025_03_11",
      "web_search_2025_08_26", "file_search", "code_interpreter", "image_generation", "computer_use_preview", "computer_use",
      "mcp", "local_shell", "shell", "apply_patch", "custom");

  private ResponsesRequestParser() {}

  static ResponsesRequest parse(JsonObject body) {
    String model = RequestFields.requireString(body, "model", "model");
    if (model.isBlank()) throw bad("model: must not be empty");
    JsonArray input = ResponsesItems.normalise(body.getValue("input"));
    String instructions = optString(body, "instructions");
    boolean stream = optBoolean(body, "stream", false);
    boolean store = optBoolean(body, "store", true);
    if (optBoolean(body, "background", false)) throw bad("background: background responses are not supported");
    if (body.getValue("conversation") != null) throw bad("conversation: conversations are not supported; use previous_response_id");
    String previous = optString(body, "previous_response_id");
    if (previous != null && previous.isBlank()) throw bad("previous_response_id: must not be empty");
    int maxOutputTokens = maxOutputTokens(body.getValue("max_output_tokens"));
    number(body, "temperature");
    number(body, "top_p");
    optBoolean(body, "parallel_tool_calls", true);
    boolean encrypted = include(body.getValue("include"));
    boolean toolsOff = toolsDisabled(body.getValue("tool_choice"));
    Map<String, Namespaces.Qualified> namespaced = new HashMap<>();
    List<ToolSpec> tools = tools(body.getValue("tools"), namespaced);
    String format = TextFormats.instruction(body.getValue("text"));
    Object reasoning = body.getValue("reasoning");
    if (reasoning != null && !(reasoning instanceof JsonObject)) throw bad("reasoning: must be an object");
    String effort = reasoning == null ? null : optString((JsonObject) reasoning, "effort", "reasoning.effort");
    if (reasoning != null) optString((JsonObject) reasoning, "summary", "reasoning.summary");
    boolean thinking = reasoning != null && !"none".equalsIgnoreCase(effort);
    int budget = thinking && effort != null ? EFFORT_BUDGET.getOrDefault(effort.toLowerCase(Locale.ROOT), 0) : 0;
    if (body.getValue("metadata") != null && !(body.getValue("metadata") instanceof JsonObject)) throw bad("metadata: must be an object");
    optString(body, "user");
    optString(body, "prompt_cache_key");
    return new ResponsesRequest(model, input, instructions, format, toolsOff ? List.of() : tools, new Namespaces(namespaced),
        thinking, budget, stream, store, previous, maxOutputTokens, encrypted, echo(body));
  }

  /** What the response object repeats of the request, with OpenAI's defaults. */
  private static JsonObject echo(JsonObject body) {
    JsonObject reasoning = body.getValue("reasoning") instanceof JsonObject r
        ? new JsonObject().put("effort", r.getValue("effort")).put("summary", r.getValue("summary"))
        : new JsonObject().putNull("effort").putNull("summary");
    return new JsonObject()
        .put("instructions", body.getValue("instructions"))
        .put("max_output_tokens", body.getValue("max_output_tokens"))
        .put("parallel_tool_calls", body.getValue("parallel_tool_calls", true))
        .put("previous_response_id", body.getValue("previous_response_id"))
        .put("reasoning", reasoning)
        .put("store", body.getValue("store", true))
        .put("temperature", body.getValue("temperature", 1.0))
        .put("text", body.getValue("text") instanceof JsonObject t ? t.copy()
            : new JsonObject().put("format", new JsonObject().put("type", "text")))
        .put("tool_choice", body.getValue("tool_choice", "auto"))
        .put("tools", body.getValue("tools") instanceof JsonArray t ? t.copy() : new JsonArray())
        .put("top_p", body.getValue("top_p", 1.0))
        .put("truncation", body.getValue("truncation", "disabled"))
        .put("user", body.getValue("user"))
        .put("metadata", body.getValue("metadata") instanceof JsonObject m ? m.copy() : new JsonObject())
        .put("prompt_cache_key", body.getValue("prompt_cache_key"));
  }

  // ---------------------------------------------------------------- parameters

  private static int maxOutputTokens(Object v) {
    if (v == null) return 0;
    if (!(v instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue()) || n.doubleValue() < 1) {
      throw bad("max_output_tokens: must be a positive integer");
    }
    return (int) Math.min(Integer.MAX_VALUE, n.longValue());
  }

  /** {@code include}: an array of strings; true when it asks for reasoning.encrypted_content. */
  private static boolean include(Object raw) {
    if (raw == null) return false;
    if (!(raw instanceof JsonArray items)) throw bad("include: must be an array of strings");
    boolean encrypted = false;
    for (int i = 0; i < items.size(); i++) {
      if (!(items.getValue(i) instanceof String s)) throw bad("include[" + i + "]: must be a string");
      encrypted |= s.equals("reasoning.encrypted_content");
    }
    return encrypted;
  }

  /** {@code tool_choice: "none"}: the model is not offered tools; the others cannot be enforced on Amazon Q. */
  private static boolean toolsDisabled(Object choice) {
    if (choice == null) return false;
    if (choice instanceof String s) {
      if (!Set.of("none", "auto", "required").contains(s)) throw bad("tool_choice: must be 'none', 'auto', 'required' or an object");
      return s.equals("none");
    }
    if (!(choice instanceof JsonObject)) throw bad("tool_choice: must be a string or an object");
    return false;
  }

  // ---------------------------------------------------------------- tools

  private static List<ToolSpec> tools(Object raw, Map<String, Namespaces.Qualified> namespaced) {
    if (raw == null) return List.of();
    if (!(raw instanceof JsonArray tools)) throw bad("tools: must be an array");
    List<ToolSpec> out = new ArrayList<>();
    for (int i = 0; i < tools.size(); i++) {
      String p = "tools[" + i + "]";
      if (!(tools.getValue(i) instanceof JsonObject t)) throw bad(p + ": must be an object");
      String type = RequestFields.requireString(t, "type", p + ".type");
      if (type.equals("function")) {
        out.add(function(t, p, null));
      } else if (type.equals("namespace")) {
        String ns = RequestFields.requireString(t, "name", p + ".name");
        if (ns.isBlank()) throw bad(p + ".name: must not be empty");
        String nsDescription = optString(t, "description", p + ".description");
        if (!(t.getValue("tools") instanceof JsonArray nested)) throw bad(p + ".tools: field required and must be an array");
        for (int j = 0; j < nested.size(); j++) {
          String pp = p + ".tools[" + j + "]";
          if (!(nested.getValue(j) instanceof JsonObject f)) throw bad(pp + ": must be an object");
          if (!"function".equals(f.getValue("type", "function"))) continue; // custom (freeform) tools: not offered
          ToolSpec spec = function(f, pp, nsDescription);
          String flat = Namespaces.flatName(ns, spec.name());
          namespaced.put(flat, new Namespaces.Qualified(ns, spec.name()));
          out.add(new ToolSpec(flat, spec.description(), spec.inputSchema()));
        }
      } else if (!NOT_OFFERED.contains(type)) {
        throw bad(p + ".type: '" + type + "' is not a supported tool type");
      }
    }
    return out;
  }

  private static ToolSpec function(JsonObject f, String p, String namespaceDescription) {
    String name = RequestFields.requireString(f, "name", p + ".name");
    if (name.isBlank()) throw bad(p + ".name: must not be empty");
    String description = optString(f, "description", p + ".description");
    Object schema = f.getValue("parameters");
    if (schema != null && !(schema instanceof JsonObject)) throw bad(p + ".parameters: must be an object");
    if (namespaceDescription != null && !namespaceDescription.isBlank()) {
      description = description == null || description.isBlank() ? namespaceDescription : namespaceDescription + "\n\n" + description;
    }
    return new ToolSpec(name, description == null ? "" : description,
        schema == null ? new JsonObject().put("type", "object") : (JsonObject) schema);
  }

  // ---------------------------------------------------------------- helpers

  private static void number(JsonObject body, String key) {
    Object v = body.getValue(key);
    if (v != null && !(v instanceof Number)) throw bad(key + ": must be a number");
  }

  private static boolean optBoolean(JsonObject o, String key, boolean dflt) {
    Object v = o.getValue(key);
    if (v == null) return dflt;
    if (!(v instanceof Boolean b)) throw bad(key + ": must be a boolean");
    return b;
  }

  private static String optString(JsonObject o, String key) {
    return optString(o, key, key);
  }

  static String optString(JsonObject o, String key, String path) {
    Object v = o.getValue(key);
    if (v == null) return null;
    if (!(v instanceof String s)) throw bad(path + ": must be a string");
    return s;
  }

  static GatewayException bad(String message) {
    return GatewayException.badRequest(message);
  }
}
