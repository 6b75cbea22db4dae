package io.qbridge.convert;

import io.vertx.core.json.JsonObject;

/**
 * Amazon Q has no structured-output mode, so OpenAI's JSON output formats (Chat Completions'
 * {@code response_format}, the Responses API's {@code text.format}) become an instruction added to
 * the system prompt. Best effort: the model is asked, not forced, and the output is not validated.
 * One wording for every front end; each parser reads its own field shapes.
 */
public final class JsonOutputInstructions {

  /** For {@code json_object}. */
  public static final String JSON_OBJECT = "Respond with a single valid JSON object and nothing else: no prose, no code fences.";

  private JsonOutputInstructions() {}

  /** For {@code json_schema}: {@code name} may be null, {@code schema} null means "any object". */
  public static String forSchema(String name, JsonObject schema) {
    return "Respond with JSON only, no prose and no code fences, conforming to this JSON schema"
        + (name == null ? "" : " \"" + name + "\"") + ":\n" + (schema == null ? "{}" : schema.encode());
  }
}
