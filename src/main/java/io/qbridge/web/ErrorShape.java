package io.qbridge.web;

import io.qbridge.error.ErrorType;
import io.vertx.core.json.JsonObject;

/**
 * How one API family writes an error body. Each API module brings its own shape (see
 * {@link ApiModule}); which {@link ErrorType} a failure has is decided once, elsewhere, and the
 * shape only renders it in its API's words.
 */
@FunctionalInterface
public interface ErrorShape {

  /**
   * OpenAI's format, {@code {"error":{"message":"...","type":"invalid_request_error","param":null,"code":"..."}}},
   * shared by the two OpenAI modules (Chat Completions and Responses are one API family).
   */
  ErrorShape OPENAI = (type, message) -> new JsonObject().put("error", new JsonObject()
      .put("message", message).put("type", type.openai()).putNull("param").put("code", type.openai()));

  /**
   * Anthropic's format, {@code {"type":"error","error":{"type":"invalid_request_error","message":"..."}}}:
   * the Messages API's, and {@code /v1/models}' for clients that send {@code anthropic-version}.
   */
  ErrorShape ANTHROPIC = (type, message) -> new JsonObject().put("type", "error")
      .put("error", new JsonObject().put("type", type.anthropic()).put("message", message));

  JsonObject body(ErrorType type, String message);
}
