package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.video.FailureReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MediaLimitsTest {
  private final MediaLimits limits = new MediaLimits(4096L * 2304, Duration.ofHours(4));

  @Test
  void a_4k_uhd_video_of_an_hour_is_accepted() {
    limits.check(media(3840, 2160, 3600));
  }

  @Test
  void a_video_larger_than_the_pixel_limit_is_rejected_naming_its_size() {
    assertThatThrownBy(() -> limits.check(media(7680, 4320, 10)))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.LIMITS_EXCEEDED);
              assertThat(e.detail()).contains("7680x4320");
            });
  }

  @Test
  void a_video_longer_than_the_duration_limit_is_rejected_in_hours_and_minutes() {
    assertThatThrownBy(() -> limits.check(media(1280, 720, 4 * 3600 + 61)))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.LIMITS_EXCEEDED);
              assertThat(e.detail()).isEqualTo("4:01:01 long, more than the 4:00:00 allowed");
            });
  }

  @Test
  void a_portrait_video_counts_the_same_pixels_as_its_landscape_twin() {
    MediaLimits tight = new MediaLimits(1280L * 720, Duration.ofMinutes(1));
    tight.check(media(720, 1280, 5));
    assertThatThrownBy(() -> tight.check(media(722, 1280, 5))).isInstanceOf(MediaRejected.class);
  }

  private static SourceMedia media(int w, int h, double seconds) {
    return new SourceMedia("mp4", seconds, w, h, new Dimensions(w, h), 0, 30, "h264", "aac");
  }
}
