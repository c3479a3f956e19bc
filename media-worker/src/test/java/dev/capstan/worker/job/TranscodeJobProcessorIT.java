package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What happens to a job while it runs, on the real database, S3 and FFmpeg. The source is long
 * enough (60 s of 640x360) that the transcode is still running when the test steps in.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class TranscodeJobProcessorIT {

  @Inject TranscodeJobProcessor processor;
  @Inject ObjectStore objects;
  @Inject JobStore store;

  private static Path longClip;

  @BeforeAll
  static void generateALongClip() throws Exception {
    Path dir = Files.createTempDirectory("capstan-processor-it");
    longClip =
        SampleClips.generate(
            SampleClips.Spec.standard(60).withSize(640, 360), dir.resolve("long.mp4"));
  }

  /** Waits until the job is past probing and encoding frames, with an estimate of what is left. */
  private static void awaitTranscoding(String videoId) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              Map<String, Object> v = video(videoId);
              return "transcoding".equals(v.get("progress_stage"))
                  && ((Number) v.get("progress_percent")).intValue() > 10
                  && v.get("progress_eta_seconds") != null;
            });
  }

  @Test
  void a_finished_job_records_the_source_facts_and_one_row_per_output_it_uploaded()
      throws Exception {
    Seeded s = seedQueuedVideo();
    Path dir = Files.createTempDirectory("capstan-processor-short");
    Path clip = SampleClips.generate(SampleClips.Spec.standard(2.5), dir.resolve("short.mp4"));
    objects.putFile(S3Keys.source(s.videoId()), clip, "video/mp4");

    assertThat(process(s, () -> false).outcome()).isEqualTo(Outcome.SUCCEEDED);

    Map<String, Object> video = video(s.videoId());
    assertThat(video.get("status")).isEqualTo("ready");
    assertThat(((Number) video.get("duration_seconds")).doubleValue()).isBetween(2.4, 2.6);
    assertThat(video.get("width")).isEqualTo(320);
    assertThat(video.get("height")).isEqualTo(180);
    assertThat(((Number) video.get("fps")).doubleValue()).isEqualTo(30.0);
    assertThat(video.get("has_audio")).isIn(true, 1, (byte) 1);
    assertThat(video.get("progress_eta_seconds")).isNull();
    List<Map<String, Object>> rows =
        rows(
            "SELECT kind, name, width, height, bitrate_kbps, codecs, s3_key, size_bytes"
                + " FROM renditions WHERE video_id = ? ORDER BY kind, name",
            s.videoId());
    assertThat(rows)
        .extracting(r -> r.get("kind") + "/" + r.get("name"))
        .containsExactly(
            "hls/master",
            "hls_audio/audio",
            "hls_rung/360p",
            "mp4/720p",
            "storyboard/sprite",
            "storyboard/vtt",
            "thumbnail/poster");
    for (Map<String, Object> row : rows) {
      String key = (String) row.get("s3_key");
      assertThat(objects.head(key)).as(key).isPresent();
      if (!row.get("kind").toString().startsWith("hls")) {
        // Single files: the row's size is the object's; HLS rows add up a tree of files.
        assertThat(objects.head(key).get().sizeBytes())
            .as("size of %s", key)
            .isEqualTo(((Number) row.get("size_bytes")).longValue());
      }
    }
    Map<String, Object> rung = rows.get(2);
    assertThat(rung.get("width")).isEqualTo(320);
    // A small H.264/AAC clip is its own 360p rung (stream copy): the codecs are the source's.
    assertThat((String) rung.get("codecs")).matches("avc1\\.[0-9a-f]{6}");
    assertThat(((Number) rung.get("bitrate_kbps")).intValue()).isPositive();
    assertThat(rows.get(1).get("codecs")).isEqualTo("mp4a.40.2");
    assertThat(objects.getText(S3Keys.storyboardVtt(S3Keys.attemptPrefix(s.videoId(), 1))))
        .startsWith("WEBVTT")
        .contains("storyboard.jpg#xywh=0,0,160,90");
  }

  @Test
  void a_worker_that_loses_its_lease_mid_transcode_stops_and_writes_nothing() throws Exception {
    Seeded s = seedWithTheLongClip();
    CompletableFuture<TranscodeJobProcessor.Result> running =
        CompletableFuture.supplyAsync(() -> process(s, () -> false));
    awaitTranscoding(s.videoId());

    // Another worker takes the job over (as if our heartbeats had stopped reaching the database).
    WorkerFixtures.execute(
        "UPDATE jobs SET lease_owner = 'the-other-worker', lease_expires_at = ? WHERE id = ?",
        LocalDateTime.now(ZoneOffset.UTC).plusMinutes(10),
        s.jobId());

    assertThat(running.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.LEASE_LOST);
    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("RUNNING");
    assertThat(job.get("lease_owner")).isEqualTo("the-other-worker");
    Map<String, Object> video = video(s.videoId());
    // Playable already (segments were published under the lease), never ready or failed by us.
    assertThat(video.get("status")).isIn("processing", "playable");
    assertThat(video.get("error_code")).isNull();
    assertThat(rows("SELECT kind FROM renditions WHERE video_id = ?", s.videoId()))
        .extracting(r -> r.get("kind"))
        .allMatch(kind -> kind.toString().startsWith("hls"));
  }

  @Test
  void a_draining_worker_hands_its_job_back_queued_for_another_worker() throws Exception {
    Seeded s = seedWithTheLongClip();
    AtomicBoolean draining = new AtomicBoolean();
    CompletableFuture<TranscodeJobProcessor.Result> running =
        CompletableFuture.supplyAsync(() -> process(s, draining::get));
    awaitTranscoding(s.videoId());
    assertThat(video(s.videoId()).get("status")).isIn("processing", "playable");

    draining.set(true);

    assertThat(running.get(30, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.HANDED_BACK);
    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("QUEUED");
    assertThat(job.get("lease_owner")).isNull();
    assertThat(job.get("lease_expires_at")).isNull();
    assertThat(video(s.videoId()).get("status")).isEqualTo("queued");
    // What it published is not pointed at any more: the next run starts over.
    assertThat(video(s.videoId()).get("output_prefix")).isNull();
    assertThat(rows("SELECT id FROM renditions WHERE video_id = ?", s.videoId())).isEmpty();
  }

  @Test
  void a_job_already_running_under_a_live_lease_is_skipped_without_a_trace() throws Exception {
    Seeded s = seedWithTheLongClip();
    WorkerFixtures.leaseTo(s, "the-other-worker", 10);

    assertThat(process(s, () -> false).outcome()).isEqualTo(Outcome.SKIPPED);
    assertThat(video(s.videoId()).get("status")).isEqualTo("queued");
    assertThat(video(s.videoId()).get("progress_stage")).isNotEqualTo("transcoding");
  }

  @Test
  void eight_workers_claiming_one_job_at_the_same_instant_yield_exactly_one_lease()
      throws Exception {
    Seeded s = seedQueuedVideo();
    int workers = 8;
    CyclicBarrier start = new CyclicBarrier(workers);
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<JobStore.Claim>> claims = new ArrayList<>();
      for (int i = 0; i < workers; i++) {
        String owner = "racer-" + i;
        claims.add(
            pool.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  return store.claim(
                      s.jobId(), s.videoId(), s.attempt(), owner, Duration.ofMinutes(1));
                }));
      }
      List<String> winners = new ArrayList<>();
      for (Future<JobStore.Claim> f : claims) {
        if (f.get(30, TimeUnit.SECONDS) instanceof JobStore.Claim.Taken t) {
          winners.add(t.lease().owner());
        } else {
          assertThat(f.get()).isInstanceOf(JobStore.Claim.NotAvailable.class);
        }
      }
      assertThat(winners).hasSize(1);
      Map<String, Object> row = job(s.jobId());
      assertThat(row.get("state")).isEqualTo("RUNNING");
      assertThat(row.get("lease_owner")).isEqualTo(winners.get(0));
      assertThat(((Number) row.get("attempt")).intValue()).isEqualTo(s.attempt());
      assertThat(video(s.videoId()).get("status")).isEqualTo("processing");
    } finally {
      pool.shutdownNow();
    }
  }

  private TranscodeJobProcessor.Result process(Seeded s, java.util.function.BooleanSupplier drain) {
    try {
      return processor.process(s.job(), "processor-test", drain);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private Seeded seedWithTheLongClip() throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putFile(S3Keys.source(s.videoId()), longClip, "video/mp4");
    return s;
  }
}
