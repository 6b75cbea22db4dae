package io.qbridge.upstream;

import io.qbridge.upstream.UpstreamError.Kind;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Classifies an Amazon Q error — an HTTP error response or an in-stream exception frame — into an
 * {@link UpstreamError.Kind}. Identity comes from the body first (quota errors arrive as 400, 402
 * or 429 depending on the day), then from {@code x-amzn-errortype}/{@code __type}, then the status
 * (protocol doc §4.1, and the official CLI's order: too-long, capacity, throttling, monthly).
 */
public final class UpstreamErrorClassifier {

  private UpstreamErrorClassifier() {}

  public static UpstreamError classifyHttp(int status, String errorTypeHeader, String body, String retryAfter) {
    JsonObject json = parseJson(body);
    String message = json == null ? body : json.getString("message", json.getString("Message", body));
    String reason = json == null || !(json.getValue("reason") instanceof String r) ? null : r;
    String type = simpleType(errorTypeHeader != null ? errorTypeHeader : json == null ? null : json.getString("__type"));
    Kind kind = classify(status, type, reason, body == null ? "" : body);
    return new UpstreamError(kind, status, parseRetryAfter(retryAfter), status + " " + type + " " + message);
  }

  /** An {@code exception} frame received after the stream started. */
  public static UpstreamError classifyStreamException(QEvent.StreamException e) {
    String text = (e.message() == null ? "" : e.message()) + " " + (e.reason() == null ? "" : e.reason());
    Kind kind = classify(0, simpleType(e.exceptionType()), e.reason(), text);
    if (kind == Kind.UNKNOWN) kind = Kind.SERVER_ERROR;
    return new UpstreamError(kind, 0, -1, e.exceptionType() + ": " + e.message());
  }

  static Kind classify(int status, String type, String reason, String body) {
    String b = body.toLowerCase(Locale.ROOT);
    String t = type == null ? "" : type;
    if ("CONTENT_LENGTH_EXCEEDS_THRESHOLD".equals(reason) || b.contains("input is too long")
        || b.contains("content_length_exceeds_threshold") || t.equals("ContentLengthExceededException")) {
      return Kind.CONTEXT_TOO_LONG;
    }
    if ("TEMPORARILY_SUSPENDED".equals(reason) || b.contains("temporarily_suspended") || b.contains("temporarily is suspended")) {
      return Kind.SUSPENDED;
    }
    if (b.contains("monthly_request_count") || b.contains("reached for this month") || b.contains("overage_request_limit_exceeded")
        || b.contains("daily_request_count") || "MONTHLY_REQUEST_COUNT".equals(reason) || t.equals("ServiceQuotaExceededException")
        || status == 402) {
      return Kind.QUOTA_EXHAUSTED;
    }
    if (b.contains("insufficient_model_capacity") || "MODEL_TEMPORARILY_UNAVAILABLE".equals(reason)
        || b.contains("unexpectedly high load")) {
      return Kind.CAPACITY;
    }
    if (b.contains("suspicious activity")) return Kind.SUSPICIOUS_ACTIVITY;
    if (b.contains("bearer token") && (b.contains("invalid") || b.contains("expired"))) return Kind.TOKEN_INVALID;
    if ("INVALID_MODEL_ID".equals(reason)) return Kind.INVALID_MODEL;
    if (b.contains("improperly formed request") || t.equals("ValidationException")) return Kind.MALFORMED_REQUEST;
    if (status == 429 || t.equals("ThrottlingException")) return Kind.THROTTLED;
    if (status == 401) return Kind.TOKEN_INVALID;
    if (status == 403 || t.equals("AccessDeniedException")) return Kind.ACCESS_DENIED;
    if (status >= 500 || t.equals("InternalServerException") || t.equals("ServiceUnavailableException") || t.equals("error")) {
      return Kind.SERVER_ERROR;
    }
    if (status == 400) return Kind.MALFORMED_REQUEST;
    return Kind.UNKNOWN;
  }

  /** {@code com.amazon...#ThrottlingException:http://...} → {@code ThrottlingException}. */
  static String simpleType(String raw) {
    if (raw == null) return null;
    String s = raw;
    int hash = s.lastIndexOf('#');
    if (hash >= 0) s = s.substring(hash + 1);
    int colon = s.indexOf(':');
    if (colon >= 0) s = s.substring(0, colon);
    return s.trim();
  }

  static long parseRetryAfter(String value) {
    if (value == null || value.isBlank()) return -1;
    try {
      double seconds = Double.parseDouble(value.trim());
      return seconds < 0 ? -1 : (long) (seconds * 1000);
    } catch (NumberFormatException e) {
      try {
        long at = java.time.ZonedDateTime.parse(value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
            .toInstant().toEpochMilli();
        return Math.max(0, at - System.currentTimeMillis());
      } catch (RuntimeException ignored) {
        return -1;
      }
    }
  }

  private static JsonObject parseJson(String body) {
    if (body == null || body.isBlank() || body.charAt(0) != '{') return null;
    try {
      return new JsonObject(body);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
