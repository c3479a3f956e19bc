package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.job.RetryPolicy;
import dev.capstan.model.job.RetryPolicy.Decision;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private static final Instant NOW = Instant.parse("2026-11-28T06:00:00Z");
  private static final RetryPolicy POLICY =
      RetryPolicy.maxAttempts(5).backoff(Duration.ofSeconds(10), Duration.ofSeconds(60));

  @Test
  void a_failed_attempt_is_retried_as_the_next_attempt_after_the_backoff() {
    Decision d = POLICY.afterFailure(1, NOW, () -> 0.0);

    assertThat(d).isEqualTo(new Decision.Retry(2, NOW.plusSeconds(5), Duration.ofSeconds(5)));
  }

  @Test
  void the_backoff_doubles_per_attempt_and_stops_at_the_cap() {
    assertThat(POLICY.delayBefore(2, () -> 0.999999)).isEqualTo(Duration.ofSeconds(10));
    assertThat(POLICY.delayBefore(3, () -> 0.999999)).isEqualTo(Duration.ofSeconds(20));
    assertThat(POLICY.delayBefore(4, () -> 0.999999)).isEqualTo(Duration.ofSeconds(40));
    assertThat(POLICY.delayBefore(5, () -> 0.999999)).isEqualTo(Duration.ofSeconds(60));
    assertThat(POLICY.delayBefore(40, () -> 0.999999)).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void jitter_keeps_at_least_half_of_the_delay_and_never_exceeds_it() {
    for (double r : new double[] {0.0, 0.25, 0.5, 0.75, 0.9999}) {
      Duration d = POLICY.delayBefore(3, () -> r);
      assertThat(d).isBetween(Duration.ofSeconds(10), Duration.ofSeconds(20));
    }
    assertThat(POLICY.delayBefore(3, () -> 0.0)).isEqualTo(Duration.ofSeconds(10));
    assertThat(POLICY.delayBefore(3, () -> 0.5)).isGreaterThan(Duration.ofSeconds(14));
  }

  @Test
  void the_last_attempt_gives_up() {
    assertThat(POLICY.afterFailure(5, NOW, () -> 0.5)).isEqualTo(new Decision.GiveUp(5));
    assertThat(POLICY.withMaxAttempts(1).afterFailure(1, NOW, () -> 0.5))
        .isInstanceOf(Decision.GiveUp.class);
  }

  @Test
  void nonsense_policies_are_refused() {
    assertThatThrownBy(() -> RetryPolicy.maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> RetryPolicy.maxAttempts(3).backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
