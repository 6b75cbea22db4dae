package io.qbridge.http;

import io.qbridge.error.ErrorType;
import io.vertx.core.json.JsonObject;

/** The error body shapes of the three API families we serve. */
public enum ErrorShape {
  /** {@code {"type":"error","error":{"type":"invalid_request_error","message":"..."}}} */
  ANTHROPIC {
    @Override public JsonObject body(ErrorType type, String message) {
      return new JsonObject().put("type", "error")
          .put("error", new JsonObject().put("type", type.anthropic()).put("message", message));
    }
  },
  /** {@code {"error":{"message":"...","type":"invalid_request_error","param":null,"code":null}}} */
  OPENAI {
    @Override public JsonObject body(ErrorType type, String message) {
      return new JsonObject().put("error", new JsonObject()
          .put("message", message).put("type", type.openai()).putNull("param").put("code", type.openai()));
    }
  },
  /** Admin API: {@code {"error":{"type":"invalid_request_error","message":"..."}}} */
  ADMIN {
    @Override public JsonObject body(ErrorType type, String message) {
      return new JsonObject().put("error", new JsonObject().put("type", type.anthropic()).put("message", message));
    }
  };

  public abstract JsonObject body(ErrorType type, String message);
}
