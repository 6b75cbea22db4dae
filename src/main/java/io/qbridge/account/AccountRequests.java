package io.qbridge.account;

import io.qbridge.bus.BusError;
import io.qbridge.bus.BusFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/**
 * Validation of admin request bodies (q2api's camelCase shape). Every problem is a
 * {@link BusError} BAD_REQUEST naming the field. Unknown fields are rejected (q2api ignores
 * them) so that typos such as {@code refresh_token} do not silently lose data.
 */
final class AccountRequests {
  static final List<String> PATCH_FIELDS =
      List.of("label", "clientId", "clientSecret", "refreshToken", "accessToken", "other", "enabled");
  /**
   * The patch fields plus the token bookkeeping of a caller that has just obtained the tokens
   * (device login): {@code expires_at} and {@code last_refresh_status}, spelled as the account JSON
   * returns them.
   */
  static final List<String> CREATE_FIELDS = List.of("label", "clientId", "clientSecret", "refreshToken",
      "accessToken", "other", "enabled", "expires_at", "last_refresh_status");

  private AccountRequests() {}

  static BusError badRequest(String message) {
    return new BusError(BusFailure.BAD_REQUEST, message);
  }

  static BusError notFound() {
    return new BusError(BusFailure.NOT_FOUND, "Account not found");
  }

  /**
   * A new account from {@code {label?, clientId, clientSecret, refreshToken, accessToken?, other?,
   * enabled?, expires_at?, last_refresh_status?}}. {@code expires_at} is an ISO-8601 instant (expiry
   * of {@code accessToken}); {@code last_refresh_status} other than {@code never} also sets
   * {@code last_refresh_time} to {@code now} (the tokens were just obtained).
   */
  static Account parseCreate(JsonObject body, String id, Instant now) {
    rejectUnknown(body, CREATE_FIELDS);
    String label = optionalString(body, "label");
    String clientId = requiredText(body, "clientId");
    String clientSecret = requiredText(body, "clientSecret");
    String refreshToken = requiredText(body, "refreshToken");
    String accessToken = optionalString(body, "accessToken");
    JsonObject other = optionalObject(body, "other");
    boolean enabled = !body.containsKey("enabled") || requiredBoolean(body, "enabled");
    Instant expiresAt = optionalInstant(body, "expires_at");
    RefreshStatus refreshStatus = optionalRefreshStatus(body, "last_refresh_status");
    Instant lastRefreshTime = refreshStatus == RefreshStatus.NEVER ? null : now;
    return new Account(id, label, clientId, clientSecret, refreshToken, Account.isBlank(accessToken) ? null : accessToken,
        other, lastRefreshTime, refreshStatus, now, now, enabled, 0, 0, expiresAt);
  }

  /** A patch from any subset of the create fields; {@code label}, {@code accessToken}, {@code other} may be null. */
  static AccountPatch parsePatch(JsonObject body) {
    rejectUnknown(body, PATCH_FIELDS);
    AccountPatch.Builder b = AccountPatch.builder();
    if (body.containsKey("label")) b.label(optionalString(body, "label"));
    if (body.containsKey("clientId")) b.clientId(requiredText(body, "clientId"));
    if (body.containsKey("clientSecret")) b.clientSecret(requiredText(body, "clientSecret"));
    if (body.containsKey("refreshToken")) b.refreshToken(requiredText(body, "refreshToken"));
    if (body.containsKey("accessToken")) b.accessToken(optionalString(body, "accessToken"));
    if (body.containsKey("other")) b.other(optionalObject(body, "other"));
    if (body.containsKey("enabled")) b.enabled(requiredBoolean(body, "enabled"));
    return b.build();
  }

  /** A required non-empty string field of a bus request (ids, lease ids). */
  static String requiredText(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) throw badRequest("Missing required field '" + field + "'");
    if (!(v instanceof String s)) throw badRequest("Field '" + field + "' must be a string, got " + typeOf(v));
    if (s.isBlank()) throw badRequest("Field '" + field + "' must not be empty");
    return s;
  }

  /** An optional array of non-empty strings (e.g. account ids to skip); absent or null = empty. */
  static java.util.Set<String> optionalTextSet(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) return java.util.Set.of();
    if (!(v instanceof JsonArray array)) {
      throw badRequest("Field '" + field + "' must be an array of strings, got " + typeOf(v));
    }
    java.util.Set<String> out = new java.util.HashSet<>();
    for (Object item : array) {
      if (!(item instanceof String s) || s.isBlank()) {
        throw badRequest("Field '" + field + "' must be an array of non-empty strings");
      }
      out.add(s);
    }
    return out;
  }

  static JsonObject requiredObject(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) throw badRequest("Missing required field '" + field + "'");
    if (!(v instanceof JsonObject o)) {
      throw badRequest("Field '" + field + "' must be a JSON object, got " + typeOf(v));
    }
    return o;
  }

  private static String optionalString(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null || v instanceof String) return (String) v;
    throw badRequest("Field '" + field + "' must be a string or null, got " + typeOf(v));
  }

  private static JsonObject optionalObject(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null || v instanceof JsonObject) return (JsonObject) v;
    throw badRequest("Field '" + field + "' must be a JSON object or null, got " + typeOf(v));
  }

  private static Instant optionalInstant(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) return null;
    Instant parsed = v instanceof String s ? UtcTimes.parse(s) : null;
    if (parsed == null) throw badRequest("Field '" + field + "' must be an ISO-8601 time or null");
    return parsed;
  }

  private static RefreshStatus optionalRefreshStatus(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v == null) return RefreshStatus.NEVER;
    for (RefreshStatus s : RefreshStatus.values()) {
      if (s.wire().equals(v)) return s;
    }
    throw badRequest("Field '" + field + "' must be one of never, success, failed");
  }

  private static boolean requiredBoolean(JsonObject body, String field) {
    Object v = body.getValue(field);
    if (v instanceof Boolean b) return b;
    throw badRequest("Field '" + field + "' must be a boolean, got " + typeOf(v));
  }

  private static void rejectUnknown(JsonObject body, List<String> allowed) {
    for (String key : body.fieldNames()) {
      if (!allowed.contains(key)) {
        String shown = key.length() > 64 ? key.substring(0, 64) + "…" : key;
        throw badRequest("Unknown field '" + shown + "' (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  static String typeOf(Object v) {
    if (v == null) return "null";
    if (v instanceof String) return "string";
    if (v instanceof Boolean) return "boolean";
    if (v instanceof Number) return "number";
    if (v instanceof JsonObject) return "object";
    if (v instanceof JsonArray) return "array";
    return v.getClass().getSimpleName();
  }
}
