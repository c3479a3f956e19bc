package dev.capstan.worker.queue;

import static dev.capstan.worker.testing.WorkerFixtures.deadLetterStream;
import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.jobStream;
import static dev.capstan.worker.testing.WorkerFixtures.leaseTo;
import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;

import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.MediaProbe.MediaInfo;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.devtools.media.SampleClips.Spec;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEvents;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.WorkerHeartbeat;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerIdentity;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import io.lettuce.core.Consumer;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker as it runs in production, on real MariaDB, Redis and S3: seed a video and its job the
 * way the API does, publish the entry, and check what a user and an operator would see.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class JobConsumerIT {
  private static final Duration PATIENCE = Duration.ofSeconds(60);
  private static final String UNDECODABLE =
      "The uploaded file is not a video or audio file that can be decoded"
          + " (Invalid data found when processing input)";

  @TempDir static Path clips;
  private static Path goodClip;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> redis;

  @Inject ObjectStore objects;
  @Inject WorkerIdentity identity;

  @BeforeAll
  static void connect() throws Exception {
    goodClip = SampleClips.generate(Spec.standard(2.0), clips.resolve("good.mp4"));
    redisClient = RedisClient.create(WorkerTestServices.services().redisUrl());
    redis = redisClient.connect();
  }

  @AfterAll
  static void disconnect() {
    redis.close();
    redisClient.shutdown();
  }

  @Test
  void an_uploaded_clip_becomes_a_ready_video_with_an_mp4_download_and_a_poster() throws Exception {
    Seeded s = seedWithSource(goodClip);

    publish(s);
    Map<String, Object> video = awaitSettled(s);

    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    String prefix = "videos/" + s.videoId() + "/a1/";
    assertThat(video.get("output_prefix")).isEqualTo(prefix);
    assertThat((Double) video.get("duration_seconds")).isCloseTo(2.0, within(0.1));
    assertThat(video.get("width")).isEqualTo(320);
    assertThat(video.get("height")).isEqualTo(180);
    assertThat((Double) video.get("fps")).isCloseTo(30.0, within(0.01));
    assertThat(video.get("has_audio")).isEqualTo(true);
    assertThat(video.get("progress_percent")).isEqualTo(100);
    assertThat(video.get("progress_stage")).isEqualTo("done");
    assertThat(video.get("error_code")).isNull();

    List<Map<String, Object>> renditions =
        rows("SELECT * FROM renditions WHERE video_id = ? ORDER BY kind, name", s.videoId());
    assertThat(renditions)
        .extracting(r -> r.get("kind") + "/" + r.get("name"))
        .containsExactly(
            "hls/master",
            "hls_audio/audio",
            "hls_rung/360p",
            "mp4/720p",
            "storyboard/sprite",
            "storyboard/vtt",
            "thumbnail/poster");
    Map<String, Object> master = renditions.get(0);
    assertThat(master).containsEntry("s3_key", prefix + "hls/master.m3u8");
    Map<String, Object> audio = renditions.get(1);
    assertThat(audio)
        .containsEntry("codecs", "mp4a.40.2")
        .containsEntry("s3_key", prefix + "hls/audio.m3u8");
    assertThat(objects.head(prefix + "hls/audio_000.m4s").orElseThrow().contentType())
        .isEqualTo("audio/mp4");
    Map<String, Object> rung = renditions.get(2);
    assertThat(rung)
        .containsEntry("width", 320)
        .containsEntry("height", 180)
        .containsEntry("s3_key", prefix + "hls/360p.m3u8");
    // The clip is H.264/AAC at the rung's size: the rung is its packets (stream copy).
    assertThat((String) rung.get("codecs")).matches("avc1\\.[0-9a-f]{6}");
    assertThat((Integer) rung.get("bitrate_kbps")).isPositive();
    assertThat(objects.head(prefix + "hls/master.m3u8").orElseThrow().contentType())
        .isEqualTo("application/vnd.apple.mpegurl");
    assertThat(objects.head(prefix + "hls/360p.m3u8")).isPresent();
    assertThat(objects.head(prefix + "hls/360p_init.mp4")).isPresent();
    assertThat(objects.head(prefix + "hls/360p_000.m4s").orElseThrow().contentType())
        .isEqualTo("video/mp4");
    Path masterFile = clips.resolve(s.videoId() + ".m3u8");
    objects.download(prefix + "hls/master.m3u8", masterFile);
    assertThat(Files.readString(masterFile)).contains("RESOLUTION=320x180", "360p.m3u8");
    Map<String, Object> mp4 = renditions.get(3);
    assertThat(mp4)
        .containsEntry("kind", "mp4")
        .containsEntry("name", "720p")
        .containsEntry("attempt", 1)
        .containsEntry("width", 320)
        .containsEntry("height", 180)
        .containsEntry("s3_key", prefix + "mp4/download.mp4");
    // The clip is H.264/AAC at the download's size: remuxed, so its own (Baseline) profile.
    assertThat((String) mp4.get("codecs")).matches("avc1\\.(42|4d|64)[0-9a-f]{4},mp4a\\.40\\.2");
    assertThat((Integer) mp4.get("bitrate_kbps")).isPositive();
    assertThat(renditions.get(4))
        .containsEntry("width", 320)
        .containsEntry("height", 90)
        .containsEntry("s3_key", prefix + "storyboard.jpg");
    assertThat(renditions.get(5))
        .containsEntry("width", 160)
        .containsEntry("height", 90)
        .containsEntry("s3_key", prefix + "storyboard.vtt");
    Map<String, Object> poster = renditions.get(6);
    assertThat(poster)
        .containsEntry("kind", "thumbnail")
        .containsEntry("name", "poster")
        .containsEntry("width", 320)
        .containsEntry("height", 180)
        .containsEntry("s3_key", prefix + "thumb.jpg");

    Path downloaded = clips.resolve(s.videoId() + ".mp4");
    objects.download(prefix + "mp4/download.mp4", downloaded);
    assertThat(Files.size(downloaded)).isEqualTo(mp4.get("size_bytes"));
    MediaInfo info = MediaProbe.probe(downloaded);
    assertThat(info.videoCodec()).isEqualTo("h264");
    assertThat(info.audioCodec()).isEqualTo("aac");
    assertThat(info.width()).isEqualTo(320);
    assertThat(info.height()).isEqualTo(180);
    assertThat(info.durationSeconds()).isCloseTo(2.0, within(0.1));

    Path thumb = clips.resolve(s.videoId() + ".jpg");
    objects.download(prefix + "thumb.jpg", thumb);
    BufferedImage image = ImageIO.read(thumb.toFile());
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(180);

    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("SUCCEEDED");
    assertThat(job.get("finished_at")).isNotNull();
    assertThat(job.get("lease_owner")).isNull();
    awaitNothingPending();

    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString("capstan_worker_jobs_total{outcome=\"succeeded\"}"),
            containsString("capstan_worker_transcode_seconds_count"),
            containsString("capstan_worker_realtime_factor"),
            containsString("capstan_worker_busy"));
  }

  @Test
  void broken_uploads_fail_with_a_reason_the_owner_can_read_and_the_worker_carries_on()
      throws Exception {
    Seeded empty = seedWithSource(new byte[0]);
    Seeded text =
        seedWithSource("my holiday video, honest\n".repeat(100).getBytes(StandardCharsets.UTF_8));
    byte[] random = new byte[64 * 1024];
    new Random(42).nextBytes(random);
    Seeded noise = seedWithSource(random);
    Seeded missing = seedQueuedVideo();
    Seeded good = seedWithSource(goodClip);

    for (Seeded s : List.of(empty, text, noise, missing, good)) {
      publish(s);
    }

    assertFailed(empty, "source_empty", "The uploaded file is empty.");
    assertFailed(text, "unsupported_media", UNDECODABLE);
    assertFailed(noise, "unsupported_media", UNDECODABLE);
    assertFailed(missing, "source_missing", "The uploaded file could not be found in storage.");
    assertThat(awaitSettled(good).get("status")).isEqualTo("ready");
    awaitNothingPending();
    // Permanently failed jobs are kept in the dead-letter stream for operators.
    assertThat(deadLetters())
        .extracting(m -> m.getBody().get(JobMessage.FIELD_JOB_ID))
        .contains(empty.jobId(), text.jobId(), noise.jobId(), missing.jobId());
  }

  @Test
  void a_malformed_entry_goes_to_the_dead_letter_stream_and_is_acknowledged() {
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put(JobMessage.FIELD_KIND, "transcode");
    fields.put(JobMessage.FIELD_JOB_ID, "not-a-job");
    fields.put(JobMessage.FIELD_PAYLOAD, "{this is not json");
    String id = commands().xadd(jobStream(), fields);

    StreamMessage<String, String> dead =
        await()
            .atMost(PATIENCE)
            .until(
                () ->
                    deadLetters().stream()
                        .filter(m -> id.equals(m.getBody().get(LettuceJobQueue.FIELD_ORIGINAL_ID)))
                        .findFirst()
                        .orElse(null),
                m -> m != null);

    assertThat(dead.getBody())
        .containsEntry(JobMessage.FIELD_JOB_ID, "not-a-job")
        .containsEntry(JobMessage.FIELD_PAYLOAD, "{this is not json");
    assertThat(dead.getBody().get(LettuceJobQueue.FIELD_REASON)).startsWith("malformed: ");
    awaitNothingPending();
  }

  @Test
  void a_job_leased_by_another_live_worker_is_not_run_a_second_time() throws Exception {
    Seeded held = seedWithSource(goodClip);
    leaseTo(held, "worker-elsewhere", 10);
    WorkerFixtures.execute(
        "UPDATE videos SET status = 'processing', progress_percent = 42,"
            + " progress_stage = 'transcoding' WHERE id = ?",
        held.videoId());
    Seeded next = seedWithSource(goodClip);

    publish(held);
    publish(next);
    // One consumer, one entry at a time: once the later job is done, the held one was seen.
    assertThat(awaitSettled(next).get("status")).isEqualTo("ready");

    Map<String, Object> job = job(held.jobId());
    assertThat(job.get("state")).isEqualTo("RUNNING");
    assertThat(job.get("lease_owner")).isEqualTo("worker-elsewhere");
    Map<String, Object> video = video(held.videoId());
    assertThat(video.get("status")).isEqualTo("processing");
    assertThat(video.get("progress_percent")).isEqualTo(42);
    assertThat(rows("SELECT id FROM renditions WHERE video_id = ?", held.videoId())).isEmpty();
    assertThat(objects.head(S3Keys.downloadMp4(S3Keys.attemptPrefix(held.videoId(), 1)))).isEmpty();
    awaitNothingPending();
  }

  @Test
  void a_job_whose_worker_died_is_left_to_the_reconciler_and_runs_again_as_the_next_attempt()
      throws Exception {
    Seeded orphan = seedWithSource(goodClip);
    leaseTo(orphan, "worker-that-crashed", -1);
    WorkerFixtures.execute(
        "UPDATE videos SET status = 'processing' WHERE id = ?", orphan.videoId());

    // A stale entry of attempt 1 is not enough: the dead attempt's prefix must stay its own.
    publish(orphan);
    awaitNothingPending();
    assertThat(job(orphan.jobId()).get("state")).isEqualTo("RUNNING");
    assertThat(job(orphan.jobId()).get("lease_owner")).isEqualTo("worker-that-crashed");

    // What the API's reconciler does once the lease has expired: attempt 2, queued, published.
    Seeded retried = orphan.asAttempt(2);
    WorkerFixtures.execute(
        "UPDATE jobs SET state = 'QUEUED', attempt = 2, lease_owner = NULL,"
            + " lease_expires_at = NULL WHERE id = ?",
        orphan.jobId());
    WorkerFixtures.execute("UPDATE videos SET status = 'queued' WHERE id = ?", orphan.videoId());
    commands().xadd(jobStream(), retried.entry());

    Map<String, Object> video = awaitSettled(orphan);
    assertThat(video.get("status")).isEqualTo("ready");
    assertThat(video.get("output_prefix")).isEqualTo("videos/" + orphan.videoId() + "/a2/");
    assertThat(job(orphan.jobId()).get("state")).isEqualTo("SUCCEEDED");
  }

  @Test
  void a_subscriber_hears_the_status_progress_with_an_eta_and_ready_events_of_a_job()
      throws Exception {
    Seeded s = seedWithSource(goodClip);
    List<VideoEvent> heard = new CopyOnWriteArrayList<>();
    try (StatefulRedisPubSubConnection<String, String> sub = redisClient.connectPubSub()) {
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              VideoEvent e = VideoEvents.decode(message);
              if (s.videoId().equals(e.videoId())) {
                heard.add(e);
              }
            }
          });
      sub.sync().subscribe(VideoEvents.channel(WorkerTestServices.services().redisNamespace()));

      publish(s);
      await()
          .atMost(PATIENCE)
          .until(() -> heard.stream().anyMatch(e -> "video.ready".equals(e.type())));
    }

    assertThat(heard.get(0).type()).isEqualTo("video.status");
    assertThat(heard.get(0).status()).isEqualTo("processing");
    List<VideoEvent> progress =
        heard.stream().filter(e -> "video.progress".equals(e.type())).toList();
    assertThat(progress).extracting(VideoEvent::stage).contains("transcoding", "uploading");
    assertThat(progress).extracting(VideoEvent::percent).isSorted();
    assertThat(progress.stream().filter(e -> e.percent() > 0))
        .allSatisfy(e -> assertThat(e.etaSeconds()).isNotNull().isNotNegative());
    assertThat(heard)
        .filteredOn(e -> "video.status".equals(e.type()))
        .extracting(VideoEvent::status)
        .containsExactly("processing", "playable", "ready");
    // Playable (the first published segment) is announced once, before ready.
    assertThat(heard).filteredOn(e -> "video.playable".equals(e.type())).hasSize(1);
    assertThat(heard.get(heard.size() - 1).type()).isEqualTo("video.ready");
  }

  @Test
  void a_rejected_upload_is_announced_as_failed_with_its_reason() throws Exception {
    Seeded s = seedWithSource("not a video".repeat(100).getBytes(StandardCharsets.UTF_8));
    List<VideoEvent> heard = new CopyOnWriteArrayList<>();
    try (StatefulRedisPubSubConnection<String, String> sub = redisClient.connectPubSub()) {
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              VideoEvent e = VideoEvents.decode(message);
              if (s.videoId().equals(e.videoId())) {
                heard.add(e);
              }
            }
          });
      sub.sync().subscribe(VideoEvents.channel(WorkerTestServices.services().redisNamespace()));

      publish(s);
      await()
          .atMost(PATIENCE)
          .until(() -> heard.stream().anyMatch(e -> "video.failed".equals(e.type())));
    }

    VideoEvent failed = heard.get(heard.size() - 1);
    assertThat(failed.errorCode()).isEqualTo("unsupported_media");
    assertThat(failed.errorMessage()).isEqualTo(UNDECODABLE);
  }

  @Test
  void a_transient_failure_queues_the_video_as_retrying_keeps_the_error_and_removes_its_files()
      throws Exception {
    Seeded s = seedWithSource(goodClip);
    // The database refuses this attempt's result (a row already holds its key): our side broke.
    WorkerFixtures.execute(
        "INSERT INTO renditions (video_id, attempt, kind, name, s3_key, size_bytes, created_at)"
            + " VALUES (?, 1, 'mp4', '720p', 'elsewhere', 0, NOW())",
        s.videoId());

    publish(s);

    Map<String, Object> job =
        await().atMost(PATIENCE).until(() -> job(s.jobId()), j -> "FAILED".equals(j.get("state")));
    assertThat((String) job.get("last_error")).contains("Duplicate");
    assertThat(job.get("lease_owner")).isNull();
    Map<String, Object> video = video(s.videoId());
    assertThat(video.get("status")).isEqualTo("queued");
    assertThat(video.get("progress_stage")).isEqualTo("retrying");
    assertThat(video.get("error_code")).isEqualTo("internal_error");
    assertThat(video.get("error_message")).isEqualTo("An internal error stopped processing.");
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    assertThat(objects.head(S3Keys.downloadMp4(prefix))).isEmpty();
    assertThat(objects.head(S3Keys.thumbnail(prefix))).isEmpty();
    awaitNothingPending();
  }

  @Test
  void jobs_on_the_long_lane_are_run_too() throws Exception {
    Seeded s = seedWithSource(goodClip);

    commands().xadd(QueueNames.jobStream(namespace(), JobLane.LONG), s.entry());

    assertThat(awaitSettled(s).get("status")).isEqualTo("ready");
    await()
        .atMost(PATIENCE)
        .until(
            () ->
                commands()
                    .xpending(
                        QueueNames.jobStream(namespace(), JobLane.LONG), QueueNames.WORKER_GROUP)
                    .getCount(),
            n -> n == 0);
  }

  @Test
  void the_worker_announces_itself_in_the_registry_with_a_heartbeat_that_expires() {
    String key = QueueNames.workerKey(namespace(), identity.id());

    String json = await().atMost(PATIENCE).until(() -> commands().get(key), v -> v != null);

    WorkerHeartbeat beat = WorkerHeartbeat.decode(json);
    assertThat(beat.workerId()).isEqualTo(identity.id());
    assertThat(beat.host()).isNotBlank();
    assertThat(beat.since()).isNotNull();
    assertThat(commands().pttl(key)).isPositive();
  }

  private static String namespace() {
    return WorkerTestServices.services().redisNamespace();
  }

  @Test
  void an_entry_a_crashed_worker_read_but_never_finished_is_taken_over() throws Exception {
    Seeded orphan = seedWithSource(goodClip);
    // Publish and deliver to a consumer that then "dies", atomically, so our worker never sees
    // the entry as new: it can only find it among the unacknowledged ones.
    RedisCommands<String, String> tx = commands();
    tx.multi();
    tx.xadd(jobStream(), orphan.entry());
    tx.xreadgroup(
        Consumer.from(QueueNames.WORKER_GROUP, "worker-that-crashed"),
        XReadArgs.Builder.count(1),
        XReadArgs.StreamOffset.lastConsumed(jobStream()));
    assertThat(tx.exec().wasDiscarded()).isFalse();
    assertThat(commands().xpending(jobStream(), QueueNames.WORKER_GROUP).getCount()).isEqualTo(1);

    assertThat(awaitSettled(orphan).get("status")).isEqualTo("ready");
    awaitNothingPending();
  }

  @Test
  void readiness_covers_database_redis_s3_and_ffmpeg_and_liveness_the_consumer() {
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks.name", hasItems("redis", "s3", "ffmpeg"))
        .body("checks.name", hasItem(containsString("Database")));
    given()
        .get("/q/health/live")
        .then()
        .statusCode(200)
        .body("checks.name", hasItem("job consumer"));
  }

  private Seeded seedWithSource(Path clip) throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putFile(S3Keys.source(s.videoId()), clip, "video/mp4");
    return s;
  }

  private Seeded seedWithSource(byte[] bytes) throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putStream(S3Keys.source(s.videoId()), new ByteArrayInputStream(bytes), "video/mp4");
    return s;
  }

  private void publish(Seeded s) {
    WorkerFixtures.publish(commands(), s);
  }

  private void assertFailed(Seeded s, String code, String message) throws Exception {
    Map<String, Object> video = awaitSettled(s);
    assertThat(video.get("status")).as("%s", video).isEqualTo("failed");
    assertThat(video.get("error_code")).isEqualTo(code);
    assertThat(video.get("error_message")).isEqualTo(message);
    Map<String, Object> job = job(s.jobId());
    assertThat(job.get("state")).isEqualTo("DEAD");
    assertThat((String) job.get("last_error")).startsWith(code);
    assertThat(job.get("lease_owner")).isNull();
  }

  private static Map<String, Object> awaitSettled(Seeded s) {
    return await()
        .atMost(PATIENCE)
        .until(
            () -> video(s.videoId()),
            v -> "ready".equals(v.get("status")) || "failed".equals(v.get("status")));
  }

  private static void awaitNothingPending() {
    await()
        .atMost(PATIENCE)
        .until(
            () -> commands().xpending(jobStream(), QueueNames.WORKER_GROUP).getCount(),
            n -> n == 0);
  }

  private static List<StreamMessage<String, String>> deadLetters() {
    return commands().xrange(deadLetterStream(), Range.create("-", "+"));
  }

  private static RedisCommands<String, String> commands() {
    return redis.sync();
  }
}
