package io.qbridge.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.qbridge.bus.Addresses;
import io.qbridge.telemetry.LogCapture;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Recording never fails the admin action it describes, and a lost entry is never silent. */
@ExtendWith(VertxExtension.class)
class AuditClientTest {

  static final AuditEvent EVENT = new AuditEvent("admin-key", "10.0.0.9", AuditActions.ACCOUNT_UPDATE, "acct-7",
      AuditEvent.SUCCESS, 200, List.of("label", "refreshToken"), new JsonObject().put("label", "x"));

  @Test
  void anEntryTheLogCannotTakeCompletesAndIsLoggedAsAWarning(Vertx vertx) {
    try (LogCapture logs = new LogCapture(AuditClient.class.getName(), Level.WARN)) {
      // no audit verticle at all: the request has no handler
      new AuditClient(vertx).record(EVENT).await();
      assertThat(logs.events).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
          .contains("NOT recorded").contains("account.update").contains("acct-7").contains("10.0.0.9"));
    }
  }

  @Test
  void aStoreFailureIsAWarningToo(Vertx vertx) {
    vertx.eventBus().consumer(Addresses.AUDIT_RECORD, m -> m.fail(5, "disk full")).completion().await();
    try (LogCapture logs = new LogCapture(AuditClient.class.getName(), Level.WARN)) {
      new AuditClient(vertx).record(EVENT).await();
      assertThat(logs.events).hasSize(1);
    }
  }

  @Test
  void malformedEventsAreRefusedByName() {
    JsonObject noAction = EVENT.toJson();
    noAction.remove("action");
    assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> AuditVerticle.parse(noAction)))
        .hasMessageContaining("action");
    JsonObject huge = EVENT.toJson().put("values", new JsonObject().put("other", "x".repeat(10_000)));
    assertThat(AuditVerticle.parse(huge).values().encode()).hasSizeLessThan(100);
    assertThat(AuditVerticle.parse(EVENT.toJson())).isEqualTo(EVENT);
  }
}
