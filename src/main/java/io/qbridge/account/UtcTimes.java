package io.qbridge.account;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAccessor;

/**
 * How instants are stored in the {@code accounts} table: UTC ISO-8601 text.
 *
 * <p>Written as {@code 2025-11-10T12:34:56.789Z} (fixed width, so text order is time order and
 * {@code ORDER BY created_at} works). Read leniently, because q2api databases hold
 * {@code 2025-11-10T12:34:56} without a zone: a value without offset is UTC, never local time
 * (q2api parses it as local time, defect §11.5 of the protocol notes). A space instead of the
 * {@code T}, an explicit offset, a zone id or epoch seconds are accepted too; empty, {@code "never"}
 * and unparsable values read as {@code null}.
 */
final class UtcTimes {
  private static final DateTimeFormatter WRITE =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private UtcTimes() {}

  /** The current instant at the precision we store (milliseconds). */
  static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  static String format(Instant instant) {
    return instant == null ? null : WRITE.format(instant);
  }

  static Instant parse(String text) {
    if (text == null) return null;
    String s = text.trim();
    if (s.isEmpty() || s.equalsIgnoreCase("never")) return null;
    if (s.length() > 10 && s.charAt(10) == ' ') s = s.substring(0, 10) + 'T' + s.substring(11);
    try {
      TemporalAccessor t = DateTimeFormatter.ISO_DATE_TIME.parseBest(s, ZonedDateTime::from, LocalDateTime::from);
      return t instanceof ZonedDateTime z ? z.toInstant() : ((LocalDateTime) t).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      return parseEpochSeconds(s);
    }
  }

  private static Instant parseEpochSeconds(String s) {
    try {
      return Instant.ofEpochMilli(Math.round(Double.parseDouble(s) * 1000));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
