package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class VideoEventsTest {
  private static final Instant AT = Instant.parse("2026-11-28T06:00:00.123Z");

  @Test
  void progress_event_has_a_stable_json_form() {
    String json = VideoEvents.encode(VideoEvent.progress("v1", 42, "transcoding", 7.5, AT));
    assertThat(json)
        .isEqualTo(
            "{\"type\":\"video.progress\",\"videoId\":\"v1\",\"status\":\"processing\","
                + "\"percent\":42,\"stage\":\"transcoding\",\"etaSeconds\":7.5,"
                + "\"at\":\"2026-11-28T06:00:00.123Z\"}");
  }

  @Test
  void playable_event_names_the_rung_that_plays_first() {
    String json = VideoEvents.encode(VideoEvent.playable("v1", "hls_rung/1080p", AT));
    assertThat(json)
        .isEqualTo(
            "{\"type\":\"video.playable\",\"videoId\":\"v1\",\"status\":\"playable\","
                + "\"rendition\":\"hls_rung/1080p\",\"at\":\"2026-11-28T06:00:00.123Z\"}");
  }

  @Test
  void events_survive_a_round_trip() {
    VideoEvent failed = VideoEvent.failed("v2", "unsupported_media", "Not a video.", AT);
    assertThat(VideoEvents.decode(VideoEvents.encode(failed))).isEqualTo(failed);
  }

  @Test
  void garbage_is_rejected() {
    assertThatThrownBy(() -> VideoEvents.decode("not json"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
