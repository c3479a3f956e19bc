package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.job;
import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.testing.Fmp4;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import dev.capstan.worker.transcode.HlsFolder;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One video, two workers, on real MariaDB, Redis, S3 and FFmpeg: the worker of this Quarkus app
 * (its consumer loop) and a second one played by the test thread, both taking chunk jobs. A 24 s
 * clip with a 10 s threshold and 8 s chunks becomes three chunks.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
@TestProfile(ChunkedFlowIT.SmallChunks.class)
class ChunkedFlowIT {
  private static final Duration PATIENCE = Duration.ofSeconds(180);
  private static final int FRAMES = 24 * 30;
  private static final int SEGMENT_FRAMES = 120;

  /** Chunk anything from 10 s, in chunks of two 4 s segments. */
  public static class SmallChunks implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "capstan.worker.chunking.min-duration", "PT10S",
          "capstan.worker.chunking.segments-per-chunk", "2");
    }
  }

  @Inject TranscodeJobProcessor processor;
  @Inject ObjectStore objects;
  @Inject FlowStore flows;

  private static Path clip;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> redis;

  @BeforeAll
  static void setUp() throws Exception {
    Path dir = Files.createTempDirectory("capstan-flow-it");
    clip = SampleClips.generate(SampleClips.Spec.standard(24), dir.resolve("clip.mp4"));
    redisClient = RedisClient.create(WorkerTestServices.services().redisUrl());
    redis = redisClient.connect();
  }

  @AfterAll
  static void tearDown() {
    redis.close();
    redisClient.shutdown();
  }

  @Test
  void a_long_clip_is_encoded_in_chunks_by_two_workers_and_plays_as_one_continuous_stream()
      throws Exception {
    Seeded s = seedWithSource();
    WorkerFixtures.publish(redis.sync(), s);
    List<String> mine = secondWorker(s.videoId(), s.jobId());

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    List<Map<String, Object>> chunks = chunkRows(s);
    assertThat(chunks).as("3 picture chunks and the audio child").hasSize(4);
    assertThat(chunks).allSatisfy(c -> assertThat(c.get("state")).isEqualTo("SUCCEEDED"));
    assertThat(job(s.jobId()).get("state")).isEqualTo("SUCCEEDED");
    // The audio is its own child job, not the parent's work: one child encodes it, once.
    List<TranscodeJob> audio =
        chunks.stream()
            .map(c -> decode((String) c.get("payload")))
            .filter(c -> c.chunk().audio())
            .toList();
    assertThat(audio).hasSize(1);
    assertThat(audio.get(0).chunk().index()).isEqualTo(3);
    assertThat((String) job(s.jobId()).get("result"))
        .as("the parent's result names no audio of its own")
        .contains("\"hasAudio\":true", "\"audio\":null");
    assertThat((String) job(audio.get(0).jobId()).get("result")).contains("c0003a1_audio.m3u8");
    // Both workers race for the chunks; who got how many depends on scheduling.
    System.out.printf("chunks run by the test's worker: %s of 3%n", mine.size());

    assertPlaysAsOneStream(s, video);
  }

  @Test
  void a_long_clip_plays_from_its_first_chunk_before_the_other_chunks_are_encoded()
      throws Exception {
    Seeded s = seedWithSource();
    // One worker (the app's): the parent's part, then the chunks one after another.
    WorkerFixtures.publish(redis.sync(), s);
    Map<String, Object> first =
        await()
            .atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> video(s.videoId()),
                v -> List.of("playable", "ready", "failed").contains((String) v.get("status")));
    assertThat(first.get("status")).as("%s", first).isEqualTo("playable");
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    assertThat(first.get("output_prefix")).isEqualTo(prefix);
    long done =
        chunkRows(s).stream()
            .filter(c -> "SUCCEEDED".equals(c.get("state")))
            .filter(c -> !decode((String) c.get("payload")).chunk().audio())
            .count();
    assertThat(done).as("chunks done when the video turned playable").isLessThan(3);

    // What a player does: master, then a media playlist, then its init and first segment.
    String master = objects.getText(S3Keys.hlsMaster(prefix));
    assertThat(master).contains("URI=\"c0003a1_audio.m3u8\"", "360p.m3u8");
    String playlist = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p"));
    assertThat(playlist)
        .contains("#EXT-X-PLAYLIST-TYPE:EVENT", "#EXT-X-TARGETDURATION:4")
        .doesNotContain("#EXT-X-ENDLIST");
    List<String> segments =
        playlist.lines().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    assertThat(segments.size()).as("whole chunks of 2 segments").isIn(2, 4);
    String init =
        playlist
            .lines()
            .filter(l -> l.startsWith("#EXT-X-MAP:URI=\""))
            .map(l -> l.substring(16, l.length() - 1))
            .findFirst()
            .orElseThrow();
    Path dir = Files.createTempDirectory("capstan-flow-playable");
    Path initFile = dir.resolve("init.mp4");
    objects.download(S3Keys.hlsPrefix(prefix) + init, initFile);
    Path seg = dir.resolve("first.m4s");
    objects.download(S3Keys.hlsPrefix(prefix) + segments.get(0), seg);
    Fmp4.Fragment f = Fmp4.fragment(seg, Fmp4.defaultSampleDuration(initFile));
    assertThat(f.baseDecodeTime()).isZero();
    assertThat(f.samples()).isEqualTo(SEGMENT_FRAMES);
    assertThat(objects.getText(S3Keys.chunkFilePrefix(prefix, 3, 1) + "audio.m3u8"))
        .contains("#EXT-X-ENDLIST");
    assertThat(rows("SELECT kind, name FROM renditions WHERE video_id = ?", s.videoId()))
        .extracting(r -> r.get("kind") + "/" + r.get("name"))
        .contains("hls/master", "hls_rung/360p", "hls_audio/audio");

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    assertThat(objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p")))
        .contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST");
    assertPlaysAsOneStream(s, video);
  }

  @Test
  void a_long_copyable_clip_plays_from_its_copied_top_rung_and_chunks_encode_the_rest_on_its_cuts()
      throws Exception {
    // H.264/AAC at exactly the 480p rung, keyframes every 2.5 s: the copy cuts at 5, 10, 12.5, …
    // (off the 4 s grid), so the 360p chunks must cut where the copy does, not every 4 s.
    Path dir = Files.createTempDirectory("capstan-flow-copy");
    Path source = copyableClip(dir);
    Seeded s = seedQueuedVideo();
    objects.putFile(S3Keys.source(s.videoId()), source, "video/mp4");
    WorkerFixtures.publish(redis.sync(), s);
    Map<String, Object> first =
        await()
            .atMost(PATIENCE)
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> video(s.videoId()),
                v -> List.of("playable", "ready", "failed").contains((String) v.get("status")));
    assertThat(first.get("status")).as("%s", first).isEqualTo("playable");
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    assertThat(objects.getText(S3Keys.hlsMaster(prefix))).contains("480p.m3u8");

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    assertThat(chunkRows(s)).hasSizeGreaterThan(1);
    assertThat(chunkRows(s))
        .as("the audio was copied with the top rung: no audio child")
        .noneMatch(c -> decode((String) c.get("payload")).chunk().audio());
    String master = objects.getText(S3Keys.hlsMaster(prefix));
    assertThat(master).contains("480p.m3u8", "360p.m3u8", "URI=\"audio.m3u8\"");
    HlsFolder.MediaPlaylist copied =
        HlsFolder.parse(objects.getText(S3Keys.hlsMediaPlaylist(prefix, "480p")));
    HlsFolder.MediaPlaylist encoded =
        HlsFolder.parse(objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p")));
    assertThat(copied.ended()).isTrue();
    assertThat(encoded.ended()).isTrue();
    assertThat(copied.extinf()).as("the copy's cuts are off the 4 s grid").contains(5.0);
    assertThat(encoded.extinf())
        .as("360p cut where the copied 480p is")
        .hasSameSizeAs(copied.extinf());
    for (int i = 0; i < copied.extinf().size(); i++) {
      assertThat(encoded.extinf().get(i))
          .as("segment %d", i)
          .isCloseTo(copied.extinf().get(i), within(0.04));
    }

    Path initFile = dir.resolve("init.mp4");
    objects.download(S3Keys.hlsPrefix(prefix) + encoded.init(), initFile);
    long trex = Fmp4.defaultSampleDuration(initFile);
    Path stream = dir.resolve("stream.mp4");
    Files.copy(initFile, stream);
    long expected = 0;
    for (String name : encoded.segments()) {
      Path seg = dir.resolve(name);
      objects.download(S3Keys.hlsPrefix(prefix) + name, seg);
      Fmp4.Fragment f = Fmp4.fragment(seg, trex);
      assertThat(f.baseDecodeTime()).as("tfdt of %s", name).isEqualTo(expected);
      expected = f.baseDecodeTime() + f.duration();
      Files.write(stream, Files.readAllBytes(seg), java.nio.file.StandardOpenOption.APPEND);
    }
    assertThat(decodedPictures(stream)).as("pictures of the encoded rung").isEqualTo(FRAMES);
    Path mp4 = dir.resolve("download.mp4");
    objects.download(S3Keys.downloadMp4(prefix), mp4);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
      g.start();
      assertThat(g.getImageWidth()).as("the download is the copied rung").isEqualTo(854);
      assertThat(g.getAudioChannels()).isEqualTo(2);
    }
    assertThat(decodedPictures(mp4)).isEqualTo(FRAMES);
    assertThat(rows("SELECT kind, name FROM renditions WHERE video_id = ?", s.videoId()))
        .extracting(r -> r.get("kind") + "/" + r.get("name"))
        .contains("hls_rung/480p", "hls_rung/360p", "hls_audio/audio", "mp4/720p");
  }

  @Test
  void a_chunk_that_fails_is_retried_alone_and_the_video_still_ends_ready() throws Exception {
    Seeded s = seedWithSource();
    // The first segment key of chunk 1's first attempt is taken by a folder in the S3 store's
    // data directory: its upload fails, as a storage outage would, for that attempt only.
    Path blocker =
        WorkerTestServices.services()
            .s3()
            .dataDir()
            .resolve(WorkerTestServices.services().s3().bucket())
            .resolve(
                S3Keys.chunkFilePrefix(S3Keys.attemptPrefix(s.videoId(), 1), 1, 1)
                    + "360p_00002.m4s");
    Files.createDirectories(blocker);
    try {
      WorkerFixtures.publish(redis.sync(), s);
      await()
          .atMost(PATIENCE)
          .until(() -> chunkRows(s).stream().anyMatch(c -> "FAILED".equals(c.get("state"))));
      Map<String, Object> failed =
          chunkRows(s).stream().filter(c -> "FAILED".equals(c.get("state"))).findFirst().get();
      // Chunk 0 may have made the video playable already; a failed chunk changes nothing.
      assertThat(video(s.videoId()).get("status")).isIn("processing", "playable");
      // What the API's reconciler does with a failed attempt under the retry policy.
      requeueAsNextAttempt(failed);
    } finally {
      Files.deleteIfExists(blocker);
    }

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    List<Map<String, Object>> chunks = chunkRows(s);
    assertThat(chunks)
        .extracting(c -> c.get("state") + "/" + c.get("attempt"))
        .containsExactlyInAnyOrder("SUCCEEDED/1", "SUCCEEDED/2", "SUCCEEDED/1", "SUCCEEDED/1");
    assertThat(
            objects.head(
                S3Keys.chunkFilePrefix(S3Keys.attemptPrefix(s.videoId(), 1), 1, 1)
                    + "360p_00003.m4s"))
        .as("the failed attempt's files are gone")
        .isEmpty();
    assertPlaysAsOneStream(s, video);
  }

  @Test
  void an_audio_child_that_fails_is_retried_alone_and_the_video_plays_only_once_it_is_there()
      throws Exception {
    Seeded s = seedWithSource();
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    // The audio child (index 3, after the 3 picture chunks) cannot upload its second segment on
    // its first attempt.
    Path blocker =
        WorkerTestServices.services()
            .s3()
            .dataDir()
            .resolve(WorkerTestServices.services().s3().bucket())
            .resolve(S3Keys.chunkFilePrefix(prefix, 3, 1) + "audio_00001.m4s");
    Files.createDirectories(blocker);
    try {
      WorkerFixtures.publish(redis.sync(), s);
      await()
          .atMost(PATIENCE)
          .until(() -> chunkRows(s).stream().anyMatch(c -> "FAILED".equals(c.get("state"))));
      Map<String, Object> failed =
          chunkRows(s).stream().filter(c -> "FAILED".equals(c.get("state"))).findFirst().get();
      assertThat(decode((String) failed.get("payload")).chunk().audio()).isTrue();
      assertThat(job(s.jobId()).get("state")).as("the parent waits on").isIn("RUNNING", "WAITING");
      // The master names the audio: without it, nothing is published, whatever chunks are done.
      assertThat(video(s.videoId()).get("status")).isEqualTo("processing");
      assertThat(objects.head(S3Keys.hlsMaster(prefix))).isEmpty();
      requeueAsNextAttempt(failed);
    } finally {
      Files.deleteIfExists(blocker);
    }

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    assertThat(chunkRows(s))
        .extracting(c -> c.get("state") + "/" + c.get("attempt"))
        .containsExactlyInAnyOrder("SUCCEEDED/1", "SUCCEEDED/1", "SUCCEEDED/1", "SUCCEEDED/2");
    assertThat(objects.head(S3Keys.chunkFilePrefix(prefix, 3, 1) + "audio.m3u8"))
        .as("the failed attempt's files are gone")
        .isEmpty();
    assertThat(objects.getText(S3Keys.hlsMaster(prefix))).contains("URI=\"c0003a2_audio.m3u8\"");
    assertPlaysAsOneStream(s, video);
  }

  @Test
  void a_chunk_whose_worker_died_mid_chunk_is_taken_over_once_its_lease_expires() throws Exception {
    Seeded s = seedWithSource();
    WorkerFixtures.publish(redis.sync(), s);
    // A worker takes a chunk and dies at once: its lease runs out, nobody renews it.
    String taken = null;
    while (taken == null) {
      List<Map<String, Object>> queued =
          chunkRows(s).stream().filter(c -> "QUEUED".equals(c.get("state"))).toList();
      for (Map<String, Object> row : queued) {
        TranscodeJob chunk = decode((String) row.get("payload"));
        if (flows.claimChunk(chunk, "worker-killed", Duration.ofSeconds(1))
            instanceof FlowStore.ChunkClaim.Taken) {
          taken = chunk.jobId();
          break;
        }
      }
      assertThat(video(s.videoId()).get("status")).isIn("queued", "processing", "playable");
      Thread.sleep(20);
    }
    String killed = taken;
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                !rows(
                        "SELECT id FROM jobs WHERE id = ? AND lease_expires_at < UTC_TIMESTAMP(6)",
                        killed)
                    .isEmpty());
    assertThat(job(s.jobId()).get("state")).as("the parent waits").isIn("RUNNING", "WAITING");
    // What the API's reconciler does with an expired lease: the next attempt, queued.
    requeueAsNextAttempt(job(killed), "RUNNING");

    Map<String, Object> video = awaitSettled(s.videoId());
    assertThat(video.get("status")).as("%s", video).isEqualTo("ready");
    assertThat(job(killed)).containsEntry("state", "SUCCEEDED").containsEntry("attempt", 2);
    assertPlaysAsOneStream(s, video);
  }

  @Test
  void a_chunk_with_bad_media_on_its_second_attempt_forgets_the_output_of_its_parents_attempt()
      throws Exception {
    // A flow of attempt 1 of the parent, already playable from chunk 0; chunk 1, on its own
    // second attempt, finds no source (bad media: the flow cannot succeed).
    Seeded s = seedQueuedVideo(); // no source uploaded
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
    WorkerFixtures.execute(
        "UPDATE jobs SET state = 'WAITING', children_pending = 1 WHERE id = ?", s.jobId());
    WorkerFixtures.execute(
        "UPDATE videos SET status = 'playable', output_prefix = ? WHERE id = ?",
        prefix,
        s.videoId());
    WorkerFixtures.execute(
        "INSERT INTO renditions (video_id, attempt, kind, name, s3_key, size_bytes, created_at)"
            + " VALUES (?, 1, 'hls', 'master', ?, 10, ?)",
        s.videoId(),
        S3Keys.hlsMaster(prefix),
        now);
    objects.putStream(
        S3Keys.hlsMaster(prefix),
        new java.io.ByteArrayInputStream("#EXTM3U\n".getBytes()),
        "application/vnd.apple.mpegurl");
    TranscodeJob chunk =
        new TranscodeJob(
            java.util.UUID.randomUUID().toString(),
            s.videoId(),
            2,
            S3Keys.source(s.videoId()),
            null,
            new ChunkRange(s.jobId(), 1, 1, 2, 240, Long.MAX_VALUE, 2, 30));
    WorkerFixtures.execute(
        "INSERT INTO jobs (id, video_id, kind, state, attempt, max_attempts, payload, lane,"
            + " parent_id, created_at, updated_at)"
            + " VALUES (?, ?, 'transcode_chunk', 'QUEUED', 2, 3, ?, 'short', ?, ?, ?)",
        chunk.jobId(),
        s.videoId(),
        JobMessage.encode(JobKinds.TRANSCODE, chunk.jobId(), chunk).get(JobMessage.FIELD_PAYLOAD),
        s.jobId(),
        now,
        now);

    var result = processor.process(chunk, "worker-b", () -> false);

    assertThat(result.outcome()).isEqualTo(TranscodeJobProcessor.Outcome.DEAD);
    Map<String, Object> video = video(s.videoId());
    assertThat(video.get("status")).isEqualTo("failed");
    assertThat(video.get("error_code")).isEqualTo("source_missing");
    assertThat(video.get("output_prefix")).as("the video points at nothing").isNull();
    assertThat(rows("SELECT kind, name FROM renditions WHERE video_id = ?", s.videoId()))
        .as("the renditions published from the parent's attempt are forgotten")
        .isEmpty();
    assertThat(job(s.jobId()).get("state")).isEqualTo("DEAD");
    assertThat(objects.head(S3Keys.hlsMaster(prefix))).as("the attempt's files are gone").isEmpty();
  }

  @Test
  void a_parent_whose_copy_fails_leaves_none_of_its_files_behind() throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putFile(
        S3Keys.source(s.videoId()),
        copyableClip(Files.createTempDirectory("capstan-flow-copy-fails")),
        "video/mp4");
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
    // The copy's fourth segment cannot be stored: the copy has published the first ones by then.
    Path blocker =
        WorkerTestServices.services()
            .s3()
            .dataDir()
            .resolve(WorkerTestServices.services().s3().bucket())
            .resolve(S3Keys.hlsPrefix(prefix) + "480p_003.m4s");
    Files.createDirectories(blocker);
    try {
      WorkerFixtures.publish(redis.sync(), s);
      await()
          .atMost(PATIENCE)
          .until(() -> List.of("FAILED", "DEAD").contains((String) job(s.jobId()).get("state")));
    } finally {
      Files.deleteIfExists(blocker);
    }
    assertThat(job(s.jobId()).get("state")).isEqualTo("FAILED");
    assertThat(chunkRows(s)).as("no chunk was written").isEmpty();
    for (String key :
        List.of(
            S3Keys.hlsPrefix(prefix) + "480p_init.mp4",
            S3Keys.hlsPrefix(prefix) + "480p_000.m4s",
            S3Keys.hlsMediaPlaylist(prefix, "480p"),
            S3Keys.hlsMaster(prefix))) {
      assertThat(objects.head(key)).as("%s of the failed copy", key).isEmpty();
    }
    assertThat(video(s.videoId()).get("output_prefix")).isNull();
    assertThat(rows("SELECT kind FROM renditions WHERE video_id = ?", s.videoId())).isEmpty();
  }

  /** 24 s of H.264/AAC at exactly the 480p rung, keyframes every 2.5 s: copied by the parent. */
  private static Path copyableClip(Path dir) throws Exception {
    Path source = dir.resolve("copyable.mp4");
    SampleClips.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=854x480:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "24",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-x264-params",
        "keyint=75:min-keyint=75:scenecut=0",
        "-b:v",
        "600k",
        "-maxrate",
        "800k",
        "-bufsize",
        "1600k",
        "-c:a",
        "aac",
        "-ac",
        "2",
        source.toString());
    return source;
  }

  /** Segments continuous across chunk joins, every picture there once, playlists and MP4 whole. */
  private void assertPlaysAsOneStream(Seeded s, Map<String, Object> video) throws Exception {
    assertThat((Double) video.get("duration_seconds")).isCloseTo(24.0, within(0.05));
    assertThat(video.get("width")).isEqualTo(320);
    assertThat(video.get("has_audio")).isEqualTo(true);
    String prefix = S3Keys.attemptPrefix(s.videoId(), 1);
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
    for (Map<String, Object> r : renditions) {
      assertThat(objects.head((String) r.get("s3_key"))).as("%s", r.get("s3_key")).isPresent();
    }
    assertStills(s, prefix, renditions);
    // The audio child's playlist (chunk index 3, whichever of its attempts made it).
    String audioKey =
        renditions.stream()
            .filter(r -> "hls_audio".equals(r.get("kind")))
            .map(r -> (String) r.get("s3_key"))
            .findFirst()
            .orElseThrow();
    assertThat(audioKey).matches(S3Keys.hlsPrefix(prefix) + "c0003a[0-9]+_audio\\.m3u8");
    String master = objects.getText(S3Keys.hlsMaster(prefix));
    assertThat(master)
        .contains(
            "#EXT-X-MEDIA:TYPE=AUDIO",
            "URI=\"" + audioKey.substring(audioKey.lastIndexOf('/') + 1) + "\"",
            "RESOLUTION=320x180",
            "360p.m3u8");

    String playlist = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p"));
    List<String> segments = new ArrayList<>();
    String init = null;
    for (String line : playlist.split("\n")) {
      if (line.startsWith("#EXT-X-MAP:URI=\"")) {
        init = line.substring(16, line.length() - 1);
      } else if (line.startsWith("#EXTINF:")) {
        assertThat(line).isEqualTo("#EXTINF:4.000000,");
      } else if (!line.isBlank() && !line.startsWith("#")) {
        segments.add(line);
      }
    }
    assertThat(playlist).contains("#EXT-X-TARGETDURATION:4", "#EXT-X-ENDLIST");
    assertThat(segments).hasSize(FRAMES / SEGMENT_FRAMES);
    for (int i = 0; i < segments.size(); i++) {
      assertThat(segments.get(i)).as("segment %d", i).endsWith("_360p_%05d.m4s".formatted(i));
    }

    Path dir = Files.createTempDirectory("capstan-flow-check");
    Path initFile = dir.resolve("init.mp4");
    objects.download(S3Keys.hlsPrefix(prefix) + init, initFile);
    long timescale = Fmp4.timescale(initFile);
    long trex = Fmp4.defaultSampleDuration(initFile);
    Path stream = dir.resolve("stream.mp4");
    Files.copy(initFile, stream);
    long expected = 0;
    for (String name : segments) {
      Path seg = dir.resolve(name);
      objects.download(S3Keys.hlsPrefix(prefix) + name, seg);
      Fmp4.Fragment f = Fmp4.fragment(seg, trex);
      assertThat(f.baseDecodeTime())
          .as("tfdt of %s = tfdt + duration of the segment before", name)
          .isEqualTo(expected);
      assertThat(f.samples()).as("pictures in %s", name).isEqualTo(SEGMENT_FRAMES);
      assertThat(f.duration()).isEqualTo(4 * timescale);
      expected = f.baseDecodeTime() + f.duration();
      Files.write(stream, Files.readAllBytes(seg), java.nio.file.StandardOpenOption.APPEND);
    }
    assertThat(decodedPictures(stream))
        .as("pictures decoded from the whole rung")
        .isEqualTo(FRAMES);

    Path mp4 = dir.resolve("download.mp4");
    objects.download(S3Keys.downloadMp4(prefix), mp4);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(mp4.toFile())) {
      g.start();
      assertThat(g.getLengthInTime() / 1e6).isCloseTo(24.0, within(0.1));
      assertThat(g.getAudioChannels()).isEqualTo(2);
      assertThat(g.getImageWidth()).isEqualTo(320);
    }
    assertThat(decodedPictures(mp4)).as("pictures in the MP4 download").isEqualTo(FRAMES);
    assertThat(objects.getText(audioKey)).contains("#EXT-X-ENDLIST");
  }

  /**
   * The poster and the storyboard stitched from the chunks' stills: one cue a second from 0 to the
   * end with no gap, each on its own tile of the sheet, tiles that change from cue to cue (a chunk
   * join repeating or dropping a picture would not), and the chunks' stills removed.
   */
  private void assertStills(Seeded s, String prefix, List<Map<String, Object>> renditions)
      throws Exception {
    Map<String, Object> poster =
        renditions.stream().filter(r -> "poster".equals(r.get("name"))).findFirst().orElseThrow();
    Path dir = Files.createTempDirectory("capstan-flow-stills");
    Path posterFile = dir.resolve("poster.jpg");
    objects.download(S3Keys.thumbnail(prefix), posterFile);
    BufferedImage posterImage = ImageIO.read(posterFile.toFile());
    assertThat(posterImage.getWidth()).isEqualTo(320).isEqualTo(poster.get("width"));
    assertThat(posterImage.getHeight()).isEqualTo(180).isEqualTo(poster.get("height"));

    List<String> lines = objects.getText(S3Keys.storyboardVtt(prefix)).lines().toList();
    assertThat(lines.get(0)).isEqualTo("WEBVTT");
    List<String> cues = lines.stream().filter(l -> l.contains(" --> ")).toList();
    assertThat(cues).hasSize(24);
    for (int i = 0; i < 24; i++) {
      assertThat(cues.get(i)).isEqualTo("00:00:%02d.000 --> 00:00:%02d.000".formatted(i, i + 1));
      assertThat(lines.get(lines.indexOf(cues.get(i)) + 1))
          .isEqualTo("storyboard.jpg#xywh=%d,%d,160,90".formatted((i % 10) * 160, (i / 10) * 90));
    }
    Path sprite = dir.resolve("storyboard.jpg");
    objects.download(S3Keys.storyboardImage(prefix), sprite);
    BufferedImage sheet = ImageIO.read(sprite.toFile());
    assertThat(sheet.getWidth()).isEqualTo(1600);
    assertThat(sheet.getHeight()).isEqualTo(270);
    for (int i = 0; i + 1 < 24; i++) {
      assertThat(difference(tile(sheet, i), tile(sheet, i + 1)))
          .as("tile %d differs from tile %d", i, i + 1)
          .isGreaterThan(2);
    }
    for (Map<String, Object> row :
        rows("SELECT result FROM jobs WHERE parent_id = ? AND state = 'SUCCEEDED'", s.jobId())) {
      String result = (String) row.get("result");
      if (!result.contains("\"audio\":null")) {
        continue; // the audio child: no stills
      }
      assertThat(result).contains("storyboard.png", "poster.jpg");
      for (String key :
          java.util.regex.Pattern.compile("\"([^\"]+_(?:storyboard\\.png|poster\\.jpg))\"")
              .matcher(result)
              .results()
              .map(m -> m.group(1))
              .toList()) {
        assertThat(objects.head(key)).as("%s removed once stitched", key).isEmpty();
      }
    }
  }

  private static BufferedImage tile(BufferedImage sheet, int i) {
    return sheet.getSubimage((i % 10) * 160, (i / 10) * 90, 160, 90);
  }

  /** Mean absolute difference of the two images' green levels (0-255). */
  private static double difference(BufferedImage a, BufferedImage b) {
    double sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        sum += Math.abs(((a.getRGB(x, y) >> 8) & 0xff) - ((b.getRGB(x, y) >> 8) & 0xff));
      }
    }
    return sum / (a.getWidth() * a.getHeight());
  }

  private static int decodedPictures(Path file) throws Exception {
    int n = 0;
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
      g.start();
      while (g.grabImage() != null) {
        n++;
      }
    }
    return n;
  }

  /**
   * The second worker: once the parent waits (the app's worker is free again), takes whatever chunk
   * of the video is queued, racing the app's worker for each, until the video settles.
   */
  private List<String> secondWorker(String videoId, String parentId) {
    List<String> done = new ArrayList<>();
    ExecutorService pool = Executors.newSingleThreadExecutor();
    AtomicBoolean stop = new AtomicBoolean();
    Future<?> unused =
        pool.submit(
            () -> {
              while (!stop.get()) {
                try {
                  String status = (String) video(videoId).get("status");
                  if (!List.of("queued", "processing", "playable").contains(status)) {
                    return null;
                  }
                  if ("RUNNING".equals(job(parentId).get("state"))
                      && job(parentId).get("children_pending") != null
                      && ((Number) job(parentId).get("children_pending")).intValue() > 0) {
                    Thread.sleep(50);
                    continue; // the parent is still on its own part
                  }
                  for (Map<String, Object> row :
                      rows(
                          "SELECT payload FROM jobs WHERE video_id = ? AND parent_id IS NOT NULL"
                              + " AND state = 'QUEUED'",
                          videoId)) {
                    TranscodeJob chunk = decode((String) row.get("payload"));
                    var result = processor.process(chunk, "worker-b", () -> false);
                    if (result.outcome() == TranscodeJobProcessor.Outcome.SUCCEEDED) {
                      done.add(chunk.jobId());
                    }
                  }
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return null;
                }
              }
              return null;
            });
    pool.shutdown();
    return done;
  }

  private static TranscodeJob decode(String payload) {
    return JobMessage.decode(
        JobKinds.TRANSCODE,
        Map.of(
            JobMessage.FIELD_KIND, JobKinds.TRANSCODE.kind(), JobMessage.FIELD_PAYLOAD, payload));
  }

  private void requeueAsNextAttempt(Map<String, Object> chunk) throws Exception {
    requeueAsNextAttempt(chunk, "FAILED");
  }

  private void requeueAsNextAttempt(Map<String, Object> chunk, String from) throws Exception {
    TranscodeJob next = decode((String) chunk.get("payload")).withAttempt(2);
    String payload =
        JobMessage.encode(JobKinds.TRANSCODE, next.jobId(), next).get(JobMessage.FIELD_PAYLOAD);
    WorkerFixtures.execute(
        "UPDATE jobs SET state = 'QUEUED', attempt = 2, payload = ?, lease_owner = NULL,"
            + " lease_expires_at = NULL, updated_at = ? WHERE id = ? AND state = ?",
        payload,
        LocalDateTime.now(ZoneOffset.UTC),
        next.jobId(),
        from);
    redis
        .sync()
        .xadd(
            WorkerFixtures.jobStream(), JobMessage.encode(JobKinds.TRANSCODE, next.jobId(), next));
  }

  private List<Map<String, Object>> chunkRows(Seeded s) throws Exception {
    return rows(
        "SELECT id, state, attempt, payload, kind FROM jobs WHERE parent_id = ? ORDER BY created_at",
        s.jobId());
  }

  private Seeded seedWithSource() throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putFile(S3Keys.source(s.videoId()), clip, "video/mp4");
    return s;
  }

  private static Map<String, Object> awaitSettled(String videoId) {
    return await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> video(videoId),
            v -> "ready".equals(v.get("status")) || "failed".equals(v.get("status")));
  }
}
