package io.qbridge.emulator;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;

/** Writes complete JSON responses the way AWS services do (request id, error type header). */
final class AwsResponses {

  static final String AMZ_JSON = "application/x-amz-json-1.0";

  private AwsResponses() {}

  /** Ends {@code response} with {@code status} and {@code body}; {@code errorType == null} omits x-amzn-errortype. */
  static void send(HttpServerResponse response, int status, String contentType, String body,
      String errorType, Map<String, String> extraHeaders) {
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader("content-type", contentType)
        .putHeader("x-amzn-requestid", UUID.randomUUID().toString());
    if (errorType != null) {
      response.putHeader("x-amzn-errortype", errorType);
    }
    extraHeaders.forEach(response::putHeader);
    response.end(body);
  }

  /** AWS-JSON-1.0 error of the chat endpoint: {@code {"message":…,"reason":…}}. */
  static void chatError(HttpServerResponse response, int status, String message, String reason, String errorType) {
    send(response, status, AMZ_JSON, Scenario.body(message, reason), errorType, Map.of());
  }

  /** REST-JSON OIDC error: {@code {"error":code,"error_description":description}}. */
  static void oidcError(HttpServerResponse response, int status, String code, String description, String errorType) {
    String body = new JsonObject().put("error", code).put("error_description", description).encode();
    send(response, status, "application/json", body, errorType, Map.of());
  }

  static void oidcOk(HttpServerResponse response, JsonObject body) {
    send(response, 200, "application/json", body.encode(), null, Map.of());
  }
}
