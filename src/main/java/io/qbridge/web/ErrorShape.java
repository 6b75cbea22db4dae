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

  JsonObject body(ErrorType type, String message);
}
