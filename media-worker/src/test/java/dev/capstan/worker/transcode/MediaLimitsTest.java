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

  @Test
  void a_video_faster_than_the_frame_rate_limit_is_rejected() {
    SourceMedia fast =
        new SourceMedia(
            "mp4", 5, 320, 180, new Dimensions(320, 180), 0, 1000, false, "h264", null, 0, false);

    assertThatThrownBy(() -> limits.check(fast))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e ->
                assertThat(e.detail())
                    .isEqualTo("1000 frames per second, more than the 240 allowed"));
  }

  @Test
  void a_file_larger_than_the_size_limit_is_rejected_before_it_is_opened() {
    MediaLimits small = new MediaLimits(1280L * 720, Duration.ofMinutes(1), 60, 1000);

    small.checkFileSize(1000);
    assertThatThrownBy(() -> small.checkFileSize(1001))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e ->
                assertThat(e.detail())
                    .isEqualTo("the file is 1001 bytes, more than the 1000 allowed"));
  }

  @Test
  void an_audio_only_source_is_held_to_the_duration_limit_only() {
    SourceMedia audio = new SourceMedia("mp3", 60, 0, 0, null, 0, 0, false, null, "mp3", 0, false);
    limits.check(audio);

    assertThatThrownBy(() -> new MediaLimits(1, Duration.ofSeconds(59)).check(audio))
        .isInstanceOf(MediaRejected.class);
  }

  private static SourceMedia media(int w, int h, double seconds) {
    return new SourceMedia(
        "mp4", seconds, w, h, new Dimensions(w, h), 0, 30, false, "h264", "aac", 0, false);
  }
}
