package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StallWatchTest {
  private final AtomicLong nanos = new AtomicLong();
  private final StallWatch watch = new StallWatch(Duration.ofSeconds(10), nanos::get);

  @Test
  void a_transcode_that_keeps_advancing_never_stalls() {
    for (int i = 1; i <= 100; i++) {
      nanos.addAndGet(Duration.ofSeconds(9).toNanos());
      watch.advanced(i * 1_000_000L);
      assertThatCode(watch::check).doesNotThrowAnyException();
    }
  }

  @Test
  void no_advance_for_longer_than_the_timeout_is_a_stall_naming_where() {
    watch.advanced(2_500_000);
    nanos.addAndGet(Duration.ofSeconds(11).toNanos());

    assertThatThrownBy(watch::check)
        .isInstanceOf(TranscodeStalled.class)
        .hasMessage("no progress for 11.0 s at 2.5 s of the source (stall timeout 10.0 s)");
  }

  @Test
  void frames_that_repeat_an_old_position_do_not_count_as_progress() {
    watch.advanced(5_000_000);
    for (int i = 0; i < 11; i++) {
      nanos.addAndGet(Duration.ofSeconds(1).toNanos());
      watch.advanced(5_000_000);
      watch.advanced(4_000_000);
    }

    assertThatThrownBy(watch::check).isInstanceOf(TranscodeStalled.class);
  }
}
