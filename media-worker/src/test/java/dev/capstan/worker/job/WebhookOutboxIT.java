package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.model.job.JobState;
import dev.capstan.model.video.FailureReason;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The worker captures webhook events into {@code webhook_outbox} in the transaction that changes
 * the video, on the real database: nothing when the change is not made, nothing for users without
 * webhooks.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class WebhookOutboxIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject JobStore store;

  @Test
  void a_video_that_becomes_ready_leaves_its_event_in_the_outbox_with_its_facts() throws Exception {
    Seeded s = seedQueuedVideo();
    String userId = withAWebhook(s);
    Lease lease = claim(s);

    assertThat(store.recordSuccess(lease, success(s))).isTrue();

    List<Map<String, Object>> events = outboxOf(s);
    // One video.rendition.ready per playable rendition (the MP4 here; not the poster), then ready.
    assertThat(events)
        .extracting(e -> e.get("event_type"))
        .containsExactly("video.rendition.ready", "video.ready");
    JsonNode rendition = JSON.readTree((String) events.get(0).get("payload"));
    assertThat(rendition.at("/data/rendition/kind").asText()).isEqualTo("mp4");
    assertThat(rendition.at("/data/rendition/name").asText()).isEqualTo("180p");
    assertThat(rendition.at("/data/rendition/width").asInt()).isEqualTo(320);
    assertThat(rendition.at("/data/video/id").asText()).isEqualTo(s.videoId());
    assertThat((String) events.get(0).get("event_key"))
        .startsWith("video.rendition.ready:" + s.videoId() + ":mp4/180p:");
    Map<String, Object> e = events.get(1);
    assertThat(e.get("user_id")).isEqualTo(userId);
    assertThat(e.get("event_type")).isEqualTo("video.ready");
    assertThat((String) e.get("event_key")).startsWith("video.ready:" + s.videoId() + ":");
    JsonNode payload = JSON.readTree((String) e.get("payload"));
    assertThat(payload.get("id").asText()).isEqualTo(e.get("event_key"));
    assertThat(payload.get("type").asText()).isEqualTo("video.ready");
    assertThat(payload.at("/data/video/id").asText()).isEqualTo(s.videoId());
    assertThat(payload.at("/data/video/title").asText()).isEqualTo("Holiday");
    assertThat(payload.at("/data/video/status").asText()).isEqualTo("ready");
    assertThat(payload.at("/data/video/width").asInt()).isEqualTo(320);
    assertThat(payload.at("/data/video/error").isMissingNode()).isTrue();
  }

  @Test
  void a_video_that_fails_for_good_leaves_video_failed_with_its_reason() throws Exception {
    Seeded s = seedQueuedVideo();
    withAWebhook(s);
    Lease lease = claim(s);

    store.recordFailure(
        lease,
        JobState.DEAD,
        JobFailure.ofMedia(FailureReason.UNSUPPORTED_MEDIA, "moov atom not found"));

    List<Map<String, Object>> events = outboxOf(s);
    assertThat(events).extracting(e -> e.get("event_type")).containsExactly("video.failed");
    JsonNode payload = JSON.readTree((String) events.get(0).get("payload"));
    assertThat(payload.at("/data/video/status").asText()).isEqualTo("failed");
    assertThat(payload.at("/data/video/error/code").asText())
        .isEqualTo(FailureReason.UNSUPPORTED_MEDIA.code());
  }

  @Test
  void a_retryable_failure_a_lost_lease_and_a_user_without_webhooks_leave_nothing()
      throws Exception {
    Seeded retried = seedQueuedVideo();
    withAWebhook(retried);
    store.recordFailure(
        claim(retried),
        JobState.FAILED,
        JobFailure.ofInternal(new IllegalStateException("S3 went away")));
    assertThat(outboxOf(retried)).isEmpty();

    Seeded lost = seedQueuedVideo();
    withAWebhook(lost);
    Lease lease = claim(lost);
    WorkerFixtures.leaseTo(lost, "the-other-worker", 10);
    assertThat(store.recordSuccess(lease, success(lost))).isFalse();
    assertThat(outboxOf(lost)).isEmpty();

    Seeded noHooks = seedQueuedVideo();
    assertThat(store.recordSuccess(claim(noHooks), success(noHooks))).isTrue();
    assertThat(video(noHooks.videoId()).get("status")).isEqualTo("ready");
    assertThat(outboxOf(noHooks)).isEmpty();
  }

  @Test
  void a_video_turning_playable_then_ready_announces_each_rung_once_and_playable_once()
      throws Exception {
    Seeded s = seedQueuedVideo();
    withAWebhook(s);
    Lease lease = claim(s);
    String prefix = "videos/" + s.videoId() + "/a" + s.attempt() + "/";
    JobStore.RenditionRow rung =
        new JobStore.RenditionRow(
            "hls_rung", "180p", 320, 180, 800, "avc1", prefix + "hls/180p.m3u8", 10);
    JobStore.RenditionRow master =
        new JobStore.RenditionRow(
            "hls", "master", 320, 180, null, null, prefix + "hls/master.m3u8", 0);

    assertThat(store.recordPlayable(lease, prefix, List.of(master, rung))).isTrue();
    assertThat(video(s.videoId()).get("status")).isEqualTo("playable");
    assertThat(video(s.videoId()).get("output_prefix")).isEqualTo(prefix);
    assertThat(store.recordPublished(lease, List.of(rung), true)).isTrue();
    assertThat(store.recordSuccess(lease, success(s), java.util.Set.of("hls_rung/180p"))).isTrue();

    // Playable once, the rung when it finished (not again at the end), the MP4, then ready.
    assertThat(outboxOf(s))
        .extracting(WebhookOutboxIT::typeAndRendition)
        .containsExactly(
            "video.playable",
            "video.rendition.ready hls_rung/180p",
            "video.rendition.ready mp4/180p",
            "video.ready");
    JsonNode playable = JSON.readTree((String) outboxOf(s).get(0).get("payload"));
    assertThat(playable.at("/data/video/status").asText()).isEqualTo("playable");
    // The final rows replace what was published: the MP4 and poster of success(), no stale rung.
    assertThat(rows("SELECT kind FROM renditions WHERE video_id = ?", s.videoId()))
        .extracting(r -> r.get("kind"))
        .containsExactlyInAnyOrder("mp4", "thumbnail");
  }

  @Test
  void a_lost_lease_makes_nothing_playable() throws Exception {
    Seeded s = seedQueuedVideo();
    withAWebhook(s);
    Lease lease = claim(s);
    WorkerFixtures.leaseTo(s, "the-other-worker", 10);
    String prefix = "videos/" + s.videoId() + "/a" + s.attempt() + "/";

    assertThat(
            store.recordPlayable(
                lease,
                prefix,
                List.of(
                    new JobStore.RenditionRow(
                        "hls", "master", 320, 180, null, null, prefix + "hls/master.m3u8", 0))))
        .isFalse();

    assertThat(video(s.videoId()).get("status")).isNotEqualTo("playable");
    assertThat(rows("SELECT id FROM renditions WHERE video_id = ?", s.videoId())).isEmpty();
    assertThat(outboxOf(s)).isEmpty();
  }

  private Lease claim(Seeded s) throws Exception {
    JobStore.Claim claim =
        store.claim(s.jobId(), s.videoId(), s.attempt(), "outbox-test", Duration.ofMinutes(1));
    assertThat(claim).isInstanceOf(JobStore.Claim.Taken.class);
    return ((JobStore.Claim.Taken) claim).lease();
  }

  private static String withAWebhook(Seeded s) throws Exception {
    String userId = (String) video(s.videoId()).get("user_id");
    WorkerFixtures.execute(
        "INSERT INTO webhooks (id, user_id, url, events, secret_encrypted, created_at)"
            + " VALUES (?, ?, 'https://example.com/hook', 'video.ready,video.failed', 'x', ?)",
        UUID.randomUUID().toString(),
        userId,
        LocalDateTime.now(ZoneOffset.UTC));
    return userId;
  }

  private static JobStore.Success success(Seeded s) {
    String prefix = "videos/" + s.videoId() + "/a" + s.attempt() + "/";
    return new JobStore.Success(
        prefix,
        1.0,
        320,
        180,
        30.0,
        true,
        List.of(
            new JobStore.RenditionRow(
                "mp4", "180p", 320, 180, 300, "avc1", prefix + "mp4/download.mp4", 1000),
            new JobStore.RenditionRow(
                "thumbnail", "poster", 320, 180, null, null, prefix + "poster.jpg", 100)));
  }

  private static String typeAndRendition(Map<String, Object> event) {
    try {
      JsonNode rendition = JSON.readTree((String) event.get("payload")).at("/data/rendition");
      return rendition.isMissingNode()
          ? (String) event.get("event_type")
          : event.get("event_type")
              + " "
              + rendition.at("/kind").asText()
              + "/"
              + rendition.at("/name").asText();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<Map<String, Object>> outboxOf(Seeded s) throws Exception {
    return rows("SELECT * FROM webhook_outbox WHERE video_id = ? ORDER BY id", s.videoId());
  }
}
