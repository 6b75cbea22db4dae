package io.qbridge.account;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class UtcTimesTest {

  @Test
  void q2apiTimestampWithoutZoneIsUtcNotLocalTime() {
    assertThat(UtcTimes.parse("2025-11-10T12:34:56")).isEqualTo(Instant.parse("2025-11-10T12:34:56Z"));
    assertThat(UtcTimes.parse("2025-11-10 12:34:56")).isEqualTo(Instant.parse("2025-11-10T12:34:56Z"));
    assertThat(UtcTimes.parse("2025-11-10T12:34:56.123456")).isEqualTo(Instant.parse("2025-11-10T12:34:56.123456Z"));
  }

  @Test
  void explicitOffsetsAndEpochSecondsAreHonoured() {
    assertThat(UtcTimes.parse("2025-11-10T14:34:56+02:00")).isEqualTo(Instant.parse("2025-11-10T12:34:56Z"));
    assertThat(UtcTimes.parse("2025-11-10T12:34:56.789Z")).isEqualTo(Instant.parse("2025-11-10T12:34:56.789Z"));
    assertThat(UtcTimes.parse("1762778096")).isEqualTo(Instant.ofEpochSecond(1762778096));
  }

  @Test
  void emptyNeverAndGarbageReadAsNull() {
    assertThat(UtcTimes.parse(null)).isNull();
    assertThat(UtcTimes.parse("")).isNull();
    assertThat(UtcTimes.parse("never")).isNull();
    assertThat(UtcTimes.parse("yesterday-ish")).isNull();
  }

  @Test
  void writesFixedWidthUtcSoTextOrderIsTimeOrder() {
    Instant t = Instant.parse("2025-01-02T03:04:05Z");
    assertThat(UtcTimes.format(t)).isEqualTo("2025-01-02T03:04:05.000Z");
    assertThat(UtcTimes.parse(UtcTimes.format(t))).isEqualTo(t);
    assertThat(UtcTimes.format(null)).isNull();
  }
}
