package io.qbridge.http.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.qbridge.audit.AuditEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** What an admin request body becomes in the audit log: names always, values only for allowlisted fields. */
class AuditTrailTest {

  static final AuditEvent EVENT = AuditEvent.of("admin-key", "127.0.0.1", "account.update", "a", 200);

  @Test
  void secretsByNameOnlyUnknownFieldsNotAtAllLongValuesCut() {
    JsonObject body = new JsonObject().put("label", "L".repeat(500)).put("clientSecret", "cs-SECRET")
        .put("refreshToken", "rt-SECRET").put("accessToken", "").put("someFutureToken", "ft-SECRET")
        .put("enabled", false).put("other", new JsonObject().put("big", "x".repeat(2000)));
    AuditEvent e = AuditTrail.withChanges(EVENT, body);
    assertThat(e.fields()).containsExactlyInAnyOrder("label", "clientSecret", "refreshToken", "accessToken", "enabled",
        "other");
    assertThat(e.values().fieldNames()).containsExactlyInAnyOrder("label", "enabled", "other");
    assertThat(e.values().getString("label")).hasSize(AuditTrail.MAX_VALUE_CHARS + 1).endsWith("…");
    assertThat(e.values().getValue("other")).isEqualTo("(2010 characters)");
    assertThat(e.toJson().encode()).doesNotContain("SECRET");
  }

  @Test
  void enableAndDisableAloneAreNamedAsSuch() {
    assertThat(AuditTrail.patchAction(new JsonObject().put("enabled", true))).isEqualTo("account.enable");
    assertThat(AuditTrail.patchAction(new JsonObject().put("enabled", false))).isEqualTo("account.disable");
    assertThat(AuditTrail.patchAction(new JsonObject().put("enabled", false).put("label", "x"))).isEqualTo("account.update");
    assertThat(AuditTrail.patchAction(new JsonObject().put("enabled", "no"))).isEqualTo("account.update");
    assertThat(AuditTrail.patchAction(null)).isEqualTo("account.update");
  }
}
