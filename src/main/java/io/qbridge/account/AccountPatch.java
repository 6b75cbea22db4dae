package io.qbridge.account;

import io.vertx.core.json.JsonObject;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * A partial update of an account (PATCH semantics): only the fields present change.
 *
 * <p>Side effects applied by every store, in the same statement: changing {@code accessToken}
 * clears {@code expires_at} (it belonged to the old token); setting {@code enabled=true} resets
 * {@code error_count} to 0 and, unless {@code other} is part of the patch, removes the
 * {@code disabledReason}/{@code disabledAt} markers and any cooldown or park
 * ({@code cooldownUntil}/{@code cooldownReason}, {@code parkedUntil}/{@code parkedReason}) from
 * {@code other}: an admin who enables an account means "use it now".
 */
public final class AccountPatch {

  /** The patchable fields, with the JSON key of the admin API. */
  public enum Field {
    LABEL("label"),
    CLIENT_ID("clientId"),
    CLIENT_SECRET("clientSecret"),
    REFRESH_TOKEN("refreshToken"),
    ACCESS_TOKEN("accessToken"),
    OTHER("other"),
    ENABLED("enabled");

    private final String key;

    Field(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  private final Map<Field, Object> changes;

  private AccountPatch(Map<Field, Object> changes) {
    this.changes = Collections.unmodifiableMap(new EnumMap<>(changes));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Changed fields in {@link Field} order; values are String (nullable for label/accessToken), JsonObject or Boolean. */
  public Map<Field, Object> changes() {
    return changes;
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  public boolean has(Field field) {
    return changes.containsKey(field);
  }

  /** A copy with {@code field}'s new value replaced by {@code value} (a store re-encoding it, e.g. encrypted). */
  AccountPatch withValue(Field field, Object value) {
    EnumMap<Field, Object> copy = new EnumMap<>(Field.class);
    copy.putAll(changes);
    copy.put(field, value);
    return new AccountPatch(copy);
  }

  @Override
  public String toString() {
    return "AccountPatch" + changes.keySet();
  }

  /** Collects the changes; each setter overwrites an earlier call for the same field. */
  public static final class Builder {
    private final EnumMap<Field, Object> changes = new EnumMap<>(Field.class);

    public Builder label(String label) {
      changes.put(Field.LABEL, label);
      return this;
    }

    public Builder clientId(String clientId) {
      changes.put(Field.CLIENT_ID, requireText(clientId, Field.CLIENT_ID));
      return this;
    }

    public Builder clientSecret(String clientSecret) {
      changes.put(Field.CLIENT_SECRET, requireText(clientSecret, Field.CLIENT_SECRET));
      return this;
    }

    public Builder refreshToken(String refreshToken) {
      changes.put(Field.REFRESH_TOKEN, requireText(refreshToken, Field.REFRESH_TOKEN));
      return this;
    }

    /** {@code null} or blank clears the token, so the next lease refreshes. */
    public Builder accessToken(String accessToken) {
      changes.put(Field.ACCESS_TOKEN, Account.isBlank(accessToken) ? null : accessToken);
      return this;
    }

    /** Replaces {@code other} as a whole; {@code null} stores an empty object. */
    public Builder other(JsonObject other) {
      changes.put(Field.OTHER, other == null ? new JsonObject() : other.copy());
      return this;
    }

    public Builder enabled(boolean enabled) {
      changes.put(Field.ENABLED, enabled);
      return this;
    }

    public AccountPatch build() {
      return new AccountPatch(changes);
    }

    private static String requireText(String value, Field field) {
      if (Account.isBlank(value)) throw new IllegalArgumentException(field.key() + " must be a non-empty string");
      return value;
    }
  }
}
