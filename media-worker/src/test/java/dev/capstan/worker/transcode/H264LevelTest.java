package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.media.Dimensions;
import org.junit.jupiter.api.Test;

class H264LevelTest {

  @Test
  void each_rung_of_the_ladder_at_30_fps_gets_the_level_players_expect() {
    assertThat(H264Level.of(new Dimensions(640, 360), 30, 800, 1600)).isEqualTo("3");
    assertThat(H264Level.of(new Dimensions(854, 480), 30, 1400, 2800)).isEqualTo("3.1");
    assertThat(H264Level.of(new Dimensions(1280, 720), 30, 2800, 5600)).isEqualTo("3.1");
    assertThat(H264Level.of(new Dimensions(1920, 1080), 30, 5000, 10000)).isEqualTo("4");
    assertThat(H264Level.of(new Dimensions(2560, 1440), 30, 9000, 18000)).isEqualTo("5");
    assertThat(H264Level.of(new Dimensions(3840, 2160), 30, 16000, 32000)).isEqualTo("5.1");
  }

  @Test
  void a_higher_frame_rate_needs_a_higher_level() {
    assertThat(H264Level.of(new Dimensions(1280, 720), 60, 2800, 5600)).isEqualTo("3.2");
    assertThat(H264Level.of(new Dimensions(1920, 1080), 60, 5000, 10000)).isEqualTo("4.2");
  }

  @Test
  void a_bitrate_above_the_levels_limit_raises_the_level() {
    // 4 allows 25 Mb/s in High profile; 40 Mb/s needs 4.1.
    assertThat(H264Level.of(new Dimensions(1920, 1080), 30, 40000, 40000)).isEqualTo("4.1");
  }

  @Test
  void a_very_wide_strip_is_limited_by_its_longest_side_not_only_its_area() {
    // 4096x64 is 1,024 macroblocks (level 2.2 holds that area) but 256 of them wide, and only
    // level 4 allows a side of sqrt(8 x 8192) = 256.
    assertThat(H264Level.of(new Dimensions(4096, 64), 1, 100, 100)).isEqualTo("4");
  }
}
