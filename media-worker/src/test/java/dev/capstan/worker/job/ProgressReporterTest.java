package dev.capstan.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
  private final MutableClock clock = new MutableClock();
  private final List<String> writes = new ArrayList<>();
  private final ProgressReporter reporter =
      new ProgressReporter(
          clock, Duration.ofSeconds(1), (p, s) -> writes.add(s.wireName() + " " + p));

  @Test
  void a_new_stage_is_written_at_once() {
    reporter.enter(ProgressStage.DOWNLOADING);
    reporter.enter(ProgressStage.PROBING);

    assertThat(writes).containsExactly("downloading 0", "probing 5");
  }

  @Test
  void transcoding_progress_is_written_at_most_once_a_second() {
    reporter.enter(ProgressStage.TRANSCODING);
    for (int frame = 1; frame <= 300; frame++) {
      clock.advance(Duration.ofMillis(10)); // 100 frames a second for 3 s
      reporter.within(frame / 300.0);
    }

    assertThat(writes)
        .containsExactly("transcoding 10", "transcoding 36", "transcoding 63", "transcoding 90");
  }

  @Test
  void progress_never_goes_backwards() {
    reporter.enter(ProgressStage.TRANSCODING);
    clock.advance(Duration.ofSeconds(2));
    reporter.within(0.5);
    clock.advance(Duration.ofSeconds(2));
    reporter.within(0.4);

    assertThat(writes).containsExactly("transcoding 10", "transcoding 50");
  }

  @Test
  void the_whole_job_maps_onto_zero_to_a_hundred_percent() {
    assertThat(ProgressStage.DOWNLOADING.percentAt(0)).isZero();
    assertThat(ProgressStage.TRANSCODING.percentAt(1)).isEqualTo(90);
    assertThat(ProgressStage.UPLOADING.percentAt(1)).isEqualTo(99);
    assertThat(ProgressStage.DONE.percentAt(0)).isEqualTo(100);
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
