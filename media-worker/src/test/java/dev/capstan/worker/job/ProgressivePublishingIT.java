package dev.capstan.worker.job;

import static dev.capstan.worker.testing.WorkerFixtures.rows;
import static dev.capstan.worker.testing.WorkerFixtures.seedQueuedVideo;
import static dev.capstan.worker.testing.WorkerFixtures.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.testing.WorkerFixtures;
import dev.capstan.worker.testing.WorkerFixtures.Seeded;
import dev.capstan.worker.testing.WorkerTestServices;
import dev.capstan.worker.transcode.HlsFolder;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Progressive publishing on the real database, S3 and FFmpeg: the video turns playable from its
 * first published segment while the rest is encoded, a copyable source's top rung is its own
 * packets with the other rungs cut where it cuts, and a lost lease publishes nothing more.
 */
@QuarkusTest
@WithTestResource(WorkerTestServices.class)
class ProgressivePublishingIT {

  @Inject TranscodeJobProcessor processor;
  @Inject ObjectStore objects;

  private static Path encodedOnly;
  private static Path copyable;
  private static Path irregular;

  @BeforeAll
  static void generateSources() throws Exception {
    Path dir = Files.createTempDirectory("capstan-progressive-it");
    // MPEG-4 part 2: nothing to copy, every rung is encoded.
    encodedOnly =
        SampleClips.generate(
            SampleClips.Spec.standard(40).withSize(640, 360).withVideoCodec("mpeg4"),
            dir.resolve("encoded.mp4"));
    // H.264/AAC at 720p under the rung's cap, a keyframe every 1.5 s: the muxer's 4 s rule cuts
    // it at 4.5, 9, 12, ... so aligned rungs must follow the copy, not their own 4 s grid.
    copyable = dir.resolve("copyable.mp4");
    SampleClips.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1280x720:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "14",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-b:v",
        "1500k",
        "-maxrate",
        "1500k",
        "-bufsize",
        "3000k",
        "-g",
        "45",
        "-keyint_min",
        "45",
        "-sc_threshold",
        "0",
        "-c:a",
        "aac",
        "-ac",
        "2",
        copyable.toString());
    // Copyable too, but mono and with keyframes at 0, 4, 9.5 and 12 s only: the copy's segments
    // are 4, 5.5, 2.5 and 2 s, so the longest comes after the first.
    irregular = dir.resolve("irregular.mp4");
    SampleClips.ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=1280x720:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "14",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-b:v",
        "1500k",
        "-maxrate",
        "1500k",
        "-bufsize",
        "3000k",
        "-g",
        "600",
        "-keyint_min",
        "600",
        "-sc_threshold",
        "0",
        "-force_key_frames",
        "0,4,9.5,12",
        "-c:a",
        "aac",
        "-ac",
        "1",
        irregular.toString());
  }

  @Test
  void a_video_plays_from_its_first_published_segment_while_the_rest_is_encoded() throws Exception {
    Seeded s = seeded(encodedOnly);
    String prefix = S3Keys.attemptPrefix(s.videoId(), s.attempt());
    CompletableFuture<TranscodeJobProcessor.Result> running = processAsync(s);

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> "playable".equals(video(s.videoId()).get("status")));
    // Caught while still growing: an EVENT playlist without an end, its segments in the store.
    String growing = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p"));
    HlsFolder.MediaPlaylist seen = HlsFolder.parse(growing);
    assertThat(running).isNotDone();
    assertThat(growing).contains("#EXT-X-PLAYLIST-TYPE:EVENT").doesNotContain("#EXT-X-ENDLIST");
    assertThat(seen.segments()).isNotEmpty();
    assertThat(objects.head(S3Keys.hlsPrefix(prefix) + seen.init())).isPresent();
    assertThat(objects.head(S3Keys.hlsPrefix(prefix) + seen.segments().get(0))).isPresent();
    assertThat(objects.getText(S3Keys.hlsMaster(prefix)))
        .contains("360p.m3u8")
        .contains("URI=\"audio.m3u8\"");
    assertThat(objects.getText(S3Keys.hlsMediaPlaylist(prefix, "audio"))).contains("#EXTINF:");
    assertThat(video(s.videoId()).get("output_prefix")).isEqualTo(prefix);
    assertThat(kinds(s.videoId())).contains("hls/master", "hls_rung/360p", "hls_audio/audio");

    assertThat(running.get(120, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(video(s.videoId()).get("status")).isEqualTo("ready");
    String done = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p"));
    assertThat(done).contains("#EXT-X-PLAYLIST-TYPE:VOD").contains("#EXT-X-ENDLIST");
    HlsFolder.MediaPlaylist all = HlsFolder.parse(done);
    // What was played early is what stays: the final playlist only adds to it.
    assertThat(all.segments()).startsWith(seen.segments().toArray(String[]::new));
    assertThat(all.segments().size()).isGreaterThan(seen.segments().size());
    for (String segment : all.segments()) {
      assertThat(objects.head(S3Keys.hlsPrefix(prefix) + segment)).as(segment).isPresent();
    }
    assertThat(kinds(s.videoId()))
        .containsExactlyInAnyOrder(
            "hls/master",
            "hls_audio/audio",
            "hls_rung/360p",
            "mp4/720p",
            "storyboard/sprite",
            "storyboard/vtt",
            "thumbnail/poster");
  }

  @Test
  void a_copyable_source_is_copied_into_the_top_rung_and_the_other_rungs_cut_where_it_cuts()
      throws Exception {
    Seeded s = seeded(copyable);
    String prefix = S3Keys.attemptPrefix(s.videoId(), s.attempt());

    assertThat(processAsync(s).get(180, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);

    assertThat(video(s.videoId()).get("status")).isEqualTo("ready");
    Path dir = Files.createTempDirectory("capstan-copied");
    Path top = concatenated(prefix, "720p", dir);
    // No re-encode: the rung holds the source's very packets, same count, same sizes.
    assertThat(videoPacketSizes(top)).isEqualTo(videoPacketSizes(copyable));

    List<Double> copiedCuts = extinf(prefix, "720p");
    // The copy's cuts are the source's keyframes (every 1.5 s) past each 4 s mark.
    assertThat(copiedCuts.get(0)).isCloseTo(4.5, org.assertj.core.data.Offset.offset(0.01));
    for (String rung : List.of("480p", "360p")) {
      assertThat(extinf(prefix, rung)).as(rung).hasSameSizeAs(copiedCuts);
      List<Double> cuts = extinf(prefix, rung);
      for (int i = 0; i < cuts.size(); i++) {
        assertThat(cuts.get(i))
            .as("%s segment %d", rung, i)
            .isCloseTo(copiedCuts.get(i), org.assertj.core.data.Offset.offset(0.001));
      }
      assertThat(videoPacketSizes(concatenated(prefix, rung, dir)))
          .as("%s frame count", rung)
          .hasSameSizeAs(videoPacketSizes(copyable));
    }
    assertThat(kinds(s.videoId()))
        .contains("hls_rung/720p", "hls_rung/480p", "hls_rung/360p", "hls_audio/audio");
    // The MP4 download is a remux of the same packets (#3), not a second encode.
    Path mp4 = dir.resolve("download.mp4");
    objects.download(S3Keys.downloadMp4(prefix), mp4);
    assertThat(videoPacketSizes(mp4)).isEqualTo(videoPacketSizes(copyable));
  }

  @Test
  void an_irregular_copy_keeps_one_target_duration_while_it_grows_and_a_mono_track_says_so()
      throws Exception {
    Seeded s = seeded(irregular);
    String prefix = S3Keys.attemptPrefix(s.videoId(), s.attempt());
    Set<String> targets = ConcurrentHashMap.newKeySet();
    CompletableFuture<TranscodeJobProcessor.Result> running = processAsync(s);
    // Every version of the encoded 480p playlist a player could fetch while it grows.
    while (true) {
      if (objects.head(S3Keys.hlsMediaPlaylist(prefix, "480p")).isPresent()) {
        String text = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "480p"));
        targets.add(targetDuration(text) + "/" + HlsFolder.parse(text).segments().size());
      }
      try {
        running.get(20, TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException stillRunning) {
        // poll again
      }
    }

    assertThat(running.get(180, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.SUCCEEDED);
    List<Double> cuts = extinf(prefix, "720p");
    assertThat(cuts).hasSize(4);
    assertThat(cuts.get(0)).isCloseTo(4.0, org.assertj.core.data.Offset.offset(0.01));
    assertThat(cuts.get(1)).isCloseTo(5.5, org.assertj.core.data.Offset.offset(0.01));
    for (String rung : List.of("720p", "480p", "360p")) {
      String text = objects.getText(S3Keys.hlsMediaPlaylist(prefix, rung));
      assertThat(targetDuration(text)).as("%s target duration", rung).isEqualTo(6);
      assertThat(HlsFolder.parse(text).extinf()).allMatch(d -> Math.round(d) <= 6);
    }
    // Seen growing (fewer than all segments) and always with the final target duration.
    assertThat(targets).anyMatch(t -> !t.endsWith("/4"));
    assertThat(targets).allMatch(t -> t.startsWith("6/"));
    // The copied mono AAC is advertised as what it is.
    assertThat(objects.getText(S3Keys.hlsMaster(prefix)))
        .contains("TYPE=AUDIO")
        .contains("CHANNELS=\"1\"");
  }

  private static int targetDuration(String playlist) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("#EXT-X-TARGETDURATION:(\\d+)").matcher(playlist);
    assertThat(m.find()).as("EXT-X-TARGETDURATION in %s", playlist).isTrue();
    return Integer.parseInt(m.group(1));
  }

  @Test
  void a_worker_that_loses_its_lease_while_publishing_publishes_nothing_more() throws Exception {
    Seeded s = seeded(encodedOnly);
    String prefix = S3Keys.attemptPrefix(s.videoId(), s.attempt());
    CompletableFuture<TranscodeJobProcessor.Result> running = processAsync(s);
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> "playable".equals(video(s.videoId()).get("status")));

    WorkerFixtures.execute(
        "UPDATE jobs SET lease_owner = 'the-other-worker', lease_expires_at = ? WHERE id = ?",
        LocalDateTime.now(ZoneOffset.UTC).plusMinutes(10),
        s.jobId());

    assertThat(running.get(60, TimeUnit.SECONDS).outcome()).isEqualTo(Outcome.LEASE_LOST);
    String last = objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p"));
    assertThat(last).doesNotContain("#EXT-X-ENDLIST");
    // Nothing after the job gave up: the playlist stays as it was, no download, no ready.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> objects.getText(S3Keys.hlsMediaPlaylist(prefix, "360p")).equals(last));
    assertThat(objects.head(S3Keys.downloadMp4(prefix))).isEmpty();
    Map<String, Object> video = video(s.videoId());
    assertThat(video.get("status")).isEqualTo("playable");
    assertThat(kinds(s.videoId())).doesNotContain("mp4/720p", "thumbnail/poster");
  }

  private Seeded seeded(Path source) throws Exception {
    Seeded s = seedQueuedVideo();
    objects.putFile(S3Keys.source(s.videoId()), source, "video/mp4");
    return s;
  }

  private CompletableFuture<TranscodeJobProcessor.Result> processAsync(Seeded s) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return processor.process(s.job(), "publisher-test", () -> false);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static List<String> kinds(String videoId) throws Exception {
    return rows("SELECT kind, name FROM renditions WHERE video_id = ?", videoId).stream()
        .map(r -> r.get("kind") + "/" + r.get("name"))
        .toList();
  }

  private List<Double> extinf(String prefix, String rung) {
    return HlsFolder.parse(objects.getText(S3Keys.hlsMediaPlaylist(prefix, rung))).extinf();
  }

  /** The rung as one fMP4 file: its init segment, then every media segment, from the store. */
  private Path concatenated(String prefix, String rung, Path dir) throws Exception {
    HlsFolder.MediaPlaylist p =
        HlsFolder.parse(objects.getText(S3Keys.hlsMediaPlaylist(prefix, rung)));
    Path out = dir.resolve(rung + ".mp4");
    try (OutputStream o = Files.newOutputStream(out)) {
      List<String> parts = new ArrayList<>(List.of(p.init()));
      parts.addAll(p.segments());
      for (String part : parts) {
        Path local = dir.resolve(part);
        objects.download(S3Keys.hlsPrefix(prefix) + part, local);
        Files.copy(local, o);
      }
    }
    return out;
  }

  private static List<Integer> videoPacketSizes(Path file) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
      g.start();
      AVPacket packet;
      while ((packet = g.grabPacket()) != null) {
        if (g.getFormatContext().streams(packet.stream_index()).codecpar().codec_type()
            == AVMEDIA_TYPE_VIDEO) {
          sizes.add(packet.size());
        }
      }
    }
    return sizes;
  }
}
