package dev.capstan.cli.command;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations and moments as people type them: {@code 90s}, {@code 30m}, {@code 7d}, ISO-8601. */
public final class TimeArguments {
  private static final Pattern SHORT = Pattern.compile("(\\d+)\\s*(s|m|h|d|w)");

  private TimeArguments() {}

  public static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = SHORT.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> Duration.ofDays(7 * n);
      };
    }
    try {
      return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (e.g. 90s, 30m, 12h, 7d, PT1H)");
    }
  }

  /** A moment: a duration from {@code now}, an ISO instant, or a date (midnight UTC). */
  public static Instant moment(String text, Instant now) {
    String t = text.trim();
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException notAnInstant) {
      // try the other forms
    }
    try {
      return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notADate) {
      // try a duration
    }
    try {
      return now.plus(duration(t));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is neither a duration (7d, 12h) nor a time (2026-12-31, ISO-8601)");
    }
  }
}
