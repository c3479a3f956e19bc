package dev.capstan.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = Backoff.of(5, Duration.ofMillis(500), Duration.ofSeconds(3));

  @Test
  void delays_double_up_to_the_cap() {
    assertThat(backoff.nominalDelay(1)).isEqualTo(Duration.ofMillis(500));
    assertThat(backoff.nominalDelay(2)).isEqualTo(Duration.ofMillis(1000));
    assertThat(backoff.nominalDelay(3)).isEqualTo(Duration.ofMillis(2000));
    assertThat(backoff.nominalDelay(4)).isEqualTo(Duration.ofSeconds(3));
    assertThat(backoff.nominalDelay(40)).isEqualTo(Duration.ofSeconds(3));
  }

  @Test
  void attempts_stop_at_the_maximum() {
    assertThat(backoff.allowsAnother(4)).isTrue();
    assertThat(backoff.allowsAnother(5)).isFalse();
  }

  @RepeatedTest(20)
  void jitter_only_shortens_a_delay_by_up_to_a_quarter() {
    assertThat(backoff.delay(2)).isBetween(Duration.ofMillis(750), Duration.ofMillis(1000));
  }
}
