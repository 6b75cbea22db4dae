package io.qbridge.convert;

import io.vertx.core.json.JsonObject;

/**
 * A built {@code GenerateAssistantResponse} body plus what the response side needs to undo the
 * request-side rewriting (shortened tool names).
 */
public record QRequest(JsonObject body, ToolNames toolNames) {}
