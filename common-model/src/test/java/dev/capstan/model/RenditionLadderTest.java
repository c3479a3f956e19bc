package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.storage.S3Keys;
import org.junit.jupiter.api.Test;

class RenditionLadderTest {

  @Test
  void full_hd_source_gets_every_rung_up_to_1080p() {
    assertThat(RenditionLadder.forSource(new Dimensions(1920, 1080)))
        .extracting(Rung::name)
        .containsExactly("1080p", "720p", "480p", "360p");
  }

  @Test
  void tiny_source_still_gets_one_rung() {
    assertThat(RenditionLadder.forSource(new Dimensions(320, 180))).hasSize(1);
  }

  @Test
  void download_rendition_is_720p_for_a_1080p_source() {
    assertThat(RenditionLadder.outputSize(new Dimensions(1920, 1080), RenditionLadder.DOWNLOAD))
        .isEqualTo(new Dimensions(1280, 720));
  }

  @Test
  void never_upscales_a_small_source() {
    assertThat(RenditionLadder.outputSize(new Dimensions(320, 180), RenditionLadder.DOWNLOAD))
        .isEqualTo(new Dimensions(320, 180));
  }

  @Test
  void portrait_video_is_scaled_by_its_short_side_and_kept_even() {
    assertThat(RenditionLadder.outputSize(new Dimensions(1081, 1921), RenditionLadder.DOWNLOAD))
        .isEqualTo(new Dimensions(720, 1278));
  }

  @Test
  void odd_source_dimensions_become_even() {
    Dimensions out = RenditionLadder.outputSize(new Dimensions(321, 181), RenditionLadder.DOWNLOAD);
    assertThat(out.width() % 2).isZero();
    assertThat(out.height() % 2).isZero();
  }

  @Test
  void s3_keys_follow_the_layout_and_refuse_user_supplied_paths() {
    String prefix = S3Keys.attemptPrefix("abc-123", 2);
    assertThat(prefix).isEqualTo("videos/abc-123/a2/");
    assertThat(S3Keys.downloadMp4(prefix)).isEqualTo("videos/abc-123/a2/mp4/download.mp4");
    assertThat(S3Keys.source("abc-123")).isEqualTo("videos/abc-123/source");
    assertThat(S3Keys.hlsPrefix(prefix)).isEqualTo("videos/abc-123/a2/hls/");
    assertThat(S3Keys.hlsMaster(prefix)).isEqualTo("videos/abc-123/a2/hls/master.m3u8");
    assertThat(S3Keys.hlsMediaPlaylist(prefix, "480p"))
        .isEqualTo("videos/abc-123/a2/hls/480p.m3u8");
    assertThatThrownBy(() -> S3Keys.source("../etc/passwd"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
