package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.event.WebhookEvents;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pins the body both services write into the webhook outbox and receivers get. */
class WebhookEventsTest {
  private static final Instant AT = Instant.parse("2026-11-28T09:30:00.123Z");

  @Test
  void a_ready_event_has_a_stable_key_and_body() {
    String key = WebhookEvents.key("video.ready", "v-1", AT);
    assertThat(key).isEqualTo("video.ready:v-1:1795858200123");
    assertThat(
            WebhookEvents.payload(
                key,
                "video.ready",
                AT,
                WebhookEvents.videoFacts("v-1", "Talk", "ready", 12.5, 1280, 720, null, null)))
        .isEqualTo(
            "{\"id\":\"video.ready:v-1:1795858200123\",\"type\":\"video.ready\","
                + "\"createdAt\":\"2026-11-28T09:30:00.123Z\",\"data\":{\"video\":{\"id\":\"v-1\","
                + "\"title\":\"Talk\",\"status\":\"ready\",\"durationSeconds\":12.5,"
                + "\"width\":1280,\"height\":720}}}");
  }

  @Test
  void a_rendition_event_names_its_rendition_and_has_a_key_per_rendition() {
    String key = WebhookEvents.renditionKey("v-1", "hls_rung/720p", AT);
    assertThat(key).isEqualTo("video.rendition.ready:v-1:hls_rung/720p:1795858200123");
    assertThat(WebhookEvents.renditionKey("v-1", "mp4/720p", AT)).isNotEqualTo(key);
    assertThat(
            WebhookEvents.payload(
                key,
                "video.rendition.ready",
                AT,
                WebhookEvents.videoFacts("v-1", "Talk", "ready", 12.5, 1280, 720, null, null),
                WebhookEvents.renditionFacts("hls_rung", "720p", 1280, 720, 2800, "avc1.64001f")))
        .endsWith(
            "\"rendition\":{\"kind\":\"hls_rung\",\"name\":\"720p\",\"width\":1280,"
                + "\"height\":720,\"bitrateKbps\":2800,\"codecs\":\"avc1.64001f\"}}}");
  }

  @Test
  void a_failed_event_carries_the_reason() {
    assertThat(
            WebhookEvents.payload(
                "k",
                "video.failed",
                AT,
                WebhookEvents.videoFacts(
                    "v-2", "Bad", "failed", null, null, null, "no_video_stream", "No video.")))
        .contains(
            "\"durationSeconds\":null",
            "\"error\":{\"code\":\"no_video_stream\",\"message\":\"No video.\"}");
  }
}
