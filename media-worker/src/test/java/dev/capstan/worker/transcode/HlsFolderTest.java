package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HlsFolderTest {
  private static final String GROWING =
      """
      #EXTM3U
      #EXT-X-VERSION:7
      #EXT-X-TARGETDURATION:5
      #EXT-X-MEDIA-SEQUENCE:0
      #EXT-X-PLAYLIST-TYPE:EVENT
      #EXT-X-INDEPENDENT-SEGMENTS
      #EXT-X-MAP:URI="720p_init.mp4"
      #EXTINF:4.500000,
      720p_000.m4s
      #EXTINF:4.500000,
      720p_001.m4s
      """;

  @Test
  void a_growing_playlist_lists_its_init_segments_and_durations_and_has_no_end() {
    HlsFolder.MediaPlaylist p = HlsFolder.parse(GROWING);
    assertThat(p.init()).isEqualTo("720p_init.mp4");
    assertThat(p.segments()).containsExactly("720p_000.m4s", "720p_001.m4s");
    assertThat(p.extinf()).containsExactly(4.5, 4.5);
    assertThat(p.ended()).isFalse();
  }

  @Test
  void the_target_duration_is_replaced_and_nothing_else() {
    String fixed = HlsFolder.withTargetDuration(GROWING, 6);
    assertThat(fixed).contains("#EXT-X-TARGETDURATION:6\n").doesNotContain("TARGETDURATION:5");
    assertThat(fixed.replace("TARGETDURATION:6", "TARGETDURATION:5")).isEqualTo(GROWING);
  }

  @Test
  void a_complete_playlist_is_published_as_vod_and_a_growing_one_as_event_without_an_end() {
    String done = GROWING + "#EXT-X-ENDLIST\n";
    assertThat(HlsFolder.parse(done).ended()).isTrue();
    assertThat(HlsFolder.asVod(done))
        .contains("#EXT-X-PLAYLIST-TYPE:VOD")
        .doesNotContain("EVENT")
        .endsWith("#EXT-X-ENDLIST\n");
    String vodWithoutEnd = GROWING.replace("EVENT", "VOD");
    assertThat(HlsFolder.asEvent(vodWithoutEnd))
        .contains("#EXT-X-PLAYLIST-TYPE:EVENT")
        .doesNotContain("VOD")
        .doesNotContain("ENDLIST");
    assertThat(HlsFolder.asEvent("#EXTM3U\n#EXTINF:4.0,\na.m4s\n"))
        .startsWith("#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n");
  }

  @Test
  void the_copied_rungs_segment_starts_become_the_frame_slots_forced_to_be_keyframes() {
    StreamCopyHls.Copied copied = new StreamCopyHls.Copied(List.of(4_500_000L, 9_000_000L), true);
    assertThat(copied.keyframeSlots(30)).containsExactlyInAnyOrder(135L, 270L);
    assertThat(copied.keyframeSlots(25)).containsExactlyInAnyOrder(113L, 225L);
  }
}
