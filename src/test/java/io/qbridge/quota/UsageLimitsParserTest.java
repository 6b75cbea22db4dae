package io.qbridge.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.qbridge.emulator.UsageSamples;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The documented GetUsageLimits samples (shared/docs/amazon-q-models-and-usage.md §3.2, §5). */
class UsageLimitsParserTest {

  private static final Instant JUNE_2026 = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void freeSample() {
    UsageLimits u = UsageLimitsParser.parse(new JsonObject(UsageSamples.FREE));
    assertThat(u.used()).isEqualTo(12.35);
    assertThat(u.limit()).isEqualTo(50.0);
    assertThat(u.nextReset()).isEqualTo(JUNE_2026);
    assertThat(u.plan()).isEqualTo("KIRO FREE");
    assertThat(u.planType()).isEqualTo("Q_DEVELOPER_STANDALONE_FREE");
    assertThat(u.unit()).isEqualTo("CREDIT");
    assertThat(u.overageEnabled()).isFalse();
    assertThat(u.exhausted()).isFalse();
    assertThat(u.remainingFraction()).isCloseTo(0.753, within(0.001));
  }

  @Test
  void exponentTimestamp() {
    assertThat(UsageLimitsParser.parse(new JsonObject(UsageSamples.EXPONENT)).nextReset()).isEqualTo(JUNE_2026);
  }

  @Test
  void trialAndActiveBonusesAddUpExpiredOnesDoNot() {
    UsageLimits u = UsageLimitsParser.parse(new JsonObject(UsageSamples.PRO_PLUS_WITH_BONUSES));
    assertThat(u.used()).isEqualTo(1500.5 + 100 + 10);
    assertThat(u.limit()).isEqualTo(2000 + 500 + 100);
    assertThat(u.nextReset()).isEqualTo(Instant.parse("2025-12-01T00:00:00Z"));
    assertThat(u.plan()).isEqualTo("KIRO PRO+");
    assertThat(u.toJson().encode()).doesNotContain("someone@example.com").doesNotContain("d-123");
  }

  @Test
  void sparseAnswerUsesPlainNumbersAndHasNoReset() {
    UsageLimits u = UsageLimitsParser.parse(new JsonObject(UsageSamples.SPARSE));
    assertThat(u.used()).isEqualTo(3);
    assertThat(u.limit()).isEqualTo(50);
    assertThat(u.nextReset()).isNull();
    assertThat(u.plan()).isNull();
  }

  @Test
  void legacyLimitsAndEmptyAnswers() {
    UsageLimits legacy = UsageLimitsParser.parse(new JsonObject(
        "{\"limits\":[{\"type\":\"AGENTIC_REQUEST\",\"currentUsage\":50,\"totalUsageLimit\":50}],\"nextDateReset\":\"1764547200\"}"));
    assertThat(legacy.exhausted()).isTrue();
    assertThat(legacy.unit()).isEqualTo("AGENTIC_REQUEST");
    assertThat(legacy.nextReset()).isEqualTo(Instant.parse("2025-12-01T00:00:00Z"));

    UsageLimits empty = UsageLimitsParser.parse(new JsonObject());
    assertThat(empty.known()).isFalse();
    assertThat(empty.exhausted()).isFalse();
    assertThat(empty.remainingFraction()).isEqualTo(1.0);
    assertThat(UsageLimitsParser.parse(null).known()).isFalse();
  }

  @Test
  void exhaustedUnlessOverageIsEnabled() {
    String over = UsageSamples.credits(50, 50, 1780272000);
    assertThat(UsageLimitsParser.parse(new JsonObject(over)).exhausted()).isTrue();
    assertThat(UsageLimitsParser.parse(new JsonObject(over.replace("DISABLED", "ENABLED"))).exhausted()).isFalse();
    assertThat(UsageLimitsParser.parse(new JsonObject(UsageSamples.credits(60, 50, 1780272000))).remainingFraction()).isZero();
  }

  @Test
  void badNumbersAreZeroAndMillisecondResetsAreRecognised() {
    UsageLimits u = UsageLimitsParser.parse(new JsonObject(
        "{\"nextDateReset\":1780272000000,\"usageBreakdownList\":[{\"currentUsage\":\"x\",\"usageLimit\":null,"
            + "\"usageLimitWithPrecision\":\"NaN\"}]}"));
    assertThat(u.used()).isZero();
    assertThat(u.limit()).isZero();
    assertThat(u.nextReset()).isEqualTo(JUNE_2026);
  }

  @Test
  void storageFormRoundTrips() {
    UsageLimits u = UsageLimitsParser.parse(new JsonObject(UsageSamples.FREE));
    assertThat(UsageLimits.fromJson(u.toJson())).isEqualTo(u);
    assertThat(UsageLimits.fromJson(new JsonObject("{\"used\":1}"))).isNull();
  }

  @Test
  void exhaustedAccountIsBlockedUntilTheReset() {
    UsageLimits over = UsageLimitsParser.parse(new JsonObject(UsageSamples.credits(50, 50, 1780272000)));
    assertThat(over.blocksAt(JUNE_2026.minusSeconds(1))).isTrue();
    assertThat(over.blocksAt(JUNE_2026)).isFalse();
    UsageLimits noReset = new UsageLimits(50, 50, null, null, null, null, false);
    assertThat(noReset.blocksAt(JUNE_2026.plusSeconds(86_400 * 365))).isTrue();
    assertThat(UsageLimitsParser.parse(new JsonObject(UsageSamples.FREE)).blocksAt(JUNE_2026.minusSeconds(1))).isFalse();
  }

  @Test
  void pastTheResetTheAccountCountsAsFull() {
    UsageLimits over = UsageLimitsParser.parse(new JsonObject(UsageSamples.credits(40, 50, 1780272000)));
    assertThat(over.remainingFractionAt(JUNE_2026.minusSeconds(1))).isCloseTo(0.2, within(0.001));
    assertThat(over.remainingFractionAt(JUNE_2026)).isEqualTo(1.0);
    UsageLimits noReset = new UsageLimits(40, 50, null, null, null, null, false);
    assertThat(noReset.remainingFractionAt(JUNE_2026.plusSeconds(86_400 * 365))).isCloseTo(0.2, within(0.001));
  }
}
