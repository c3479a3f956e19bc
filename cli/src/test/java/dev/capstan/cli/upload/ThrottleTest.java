package dev.capstan.cli.upload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ThrottleTest {
  @Test
  void rates_read_like_curls_limit_rate() {
    assertThat(Throttle.parseRate("500K")).isEqualTo(500 * 1024);
    assertThat(Throttle.parseRate("8M")).isEqualTo(8L * 1024 * 1024);
    assertThat(Throttle.parseRate("1.5G")).isEqualTo(3L * 512 * 1024 * 1024);
    assertThat(Throttle.parseRate("8MiB/s")).isEqualTo(8L * 1024 * 1024);
    assertThat(Throttle.parseRate("1200")).isEqualTo(1200);
  }

  @Test
  void nonsense_and_zero_are_refused() {
    assertThatThrownBy(() -> Throttle.parseRate("fast")).isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> Throttle.parseRate("0M")).isInstanceOf(NumberFormatException.class);
  }

  @Test
  void an_unlimited_throttle_never_waits() {
    Throttle t = Throttle.unlimited();
    long start = System.nanoTime();
    t.acquire(Long.MAX_VALUE / 2);
    assertThat(t.limited()).isFalse();
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
  }
}
