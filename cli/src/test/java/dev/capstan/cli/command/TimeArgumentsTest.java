package dev.capstan.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimeArgumentsTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  @Test
  void short_and_iso_durations() {
    assertThat(TimeArguments.duration("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(TimeArguments.duration("30m")).isEqualTo(Duration.ofMinutes(30));
    assertThat(TimeArguments.duration("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(TimeArguments.duration("2w")).isEqualTo(Duration.ofDays(14));
    assertThat(TimeArguments.duration("PT1H")).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void moments_from_durations_instants_and_dates() {
    assertThat(TimeArguments.moment("12h", NOW)).isEqualTo(Instant.parse("2026-11-29T00:00:00Z"));
    assertThat(TimeArguments.moment("2026-12-31T10:00:00Z", NOW))
        .isEqualTo(Instant.parse("2026-12-31T10:00:00Z"));
    assertThat(TimeArguments.moment("2026-12-31", NOW))
        .isEqualTo(Instant.parse("2026-12-31T00:00:00Z"));
  }

  @Test
  void nonsense_is_explained() {
    assertThatThrownBy(() -> TimeArguments.moment("soon", NOW))
        .hasMessageContaining("'soon' is neither a duration");
  }
}
