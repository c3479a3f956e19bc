package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.worker.testing.Ffmpeg;
import dev.capstan.worker.testing.Mp4Boxes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy to the top rung reads a source that is still arriving (the download runs while FFmpeg
 * reads): a moov-first MP4 is probed and copied from its head, its first segment out before its
 * tail has arrived; a moov-last one waits for its tail and comes out the same; a source that stops
 * arriving fails as an I/O error, not as bad media.
 */
class ArrivingCopyIT {
  private static final MediaLimits LIMITS = new MediaLimits(4096L * 2304, Duration.ofHours(4));

  @TempDir static Path clips;
  private static Path moovFirst;
  private static Path moovLast;

  @TempDir Path work;

  private final JavaCvTranscoder transcoder = new JavaCvTranscoder(LIMITS);

  @BeforeAll
  static void clips() throws Exception {
    // 20 s with a keyframe every second: five 4 s segments; B-frames, so decode and presentation
    // times differ (the index has the first, the HLS muxer cuts on the second).
    moovLast = clips.resolve("moov-last.mp4");
    Ffmpeg.run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "20",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-g",
        "30",
        "-keyint_min",
        "30",
        "-sc_threshold",
        "0",
        "-bf",
        "2",
        "-c:a",
        "aac",
        "-ac",
        "2",
        moovLast.toString());
    moovFirst = clips.resolve("moov-first.mp4");
    Ffmpeg.run(
        "-i", moovLast.toString(), "-c", "copy", "-movflags", "+faststart", moovFirst.toString());
    assertThat(Mp4Boxes.topLevel(moovFirst).indexOf("moov"))
        .isLessThan(Mp4Boxes.topLevel(moovFirst).indexOf("mdat"));
    assertThat(Mp4Boxes.topLevel(moovLast).indexOf("moov"))
        .isGreaterThan(Mp4Boxes.topLevel(moovLast).indexOf("mdat"));
  }

  @Test
  void a_moov_first_source_is_probed_and_copied_while_its_tail_is_still_arriving()
      throws Exception {
    HeldBack source = new HeldBack(Files.readAllBytes(moovFirst), 0.6);
    SourceMedia media = transcoder.probe(source);
    assertThat(source.waitingForTail()).as("the probe needed only the head").isZero();
    Path hls = work.resolve("hls");
    Files.createDirectories(hls);
    AtomicInteger target = new AtomicInteger();

    CompletableFuture<StreamCopyHls.Copied> copy =
        CompletableFuture.supplyAsync(() -> copy(source, media, hls, target));

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> segments(hls, rung(media).name()).size() >= 1);
    assertThat(copy).as("the copy waits for the tail, with its first segment out").isNotDone();
    assertThat(target.get()).as("target duration told before the first playlist").isEqualTo(4);
    source.letTheRestArrive();
    StreamCopyHls.Copied copied = copy.get(60, TimeUnit.SECONDS);

    StreamCopyHls.Copied whole = copyOfTheWholeFile(moovFirst, media);
    assertThat(copied).isNotNull();
    assertThat(copied.segmentStartsUs()).isEqualTo(whole.segmentStartsUs()).hasSize(4);
    assertThat(copied.audioCopied()).isTrue();
    assertThat(segments(hls, rung(media).name())).hasSize(5);
  }

  @Test
  void a_moov_last_source_waits_for_its_tail_and_is_copied_the_same() throws Exception {
    HeldBack source = new HeldBack(Files.readAllBytes(moovLast), 0.6);
    Path hls = work.resolve("hls");
    Files.createDirectories(hls);
    AtomicInteger target = new AtomicInteger();

    CompletableFuture<StreamCopyHls.Copied> copy =
        CompletableFuture.supplyAsync(() -> copy(source, transcoder.probe(source), hls, target));

    await().atMost(Duration.ofSeconds(30)).until(() -> source.waitingForTail() > 0);
    assertThat(copy).isNotDone();
    try (var files = Files.list(hls)) {
      assertThat(files.toList()).as("nothing written without the index").isEmpty();
    }
    source.letTheRestArrive();
    StreamCopyHls.Copied copied = copy.get(60, TimeUnit.SECONDS);

    SourceMedia media = transcoder.probe(moovLast);
    assertThat(copied).isNotNull();
    assertThat(copied.segmentStartsUs())
        .isEqualTo(copyOfTheWholeFile(moovLast, media).segmentStartsUs())
        .hasSize(4);
    assertThat(target.get()).isEqualTo(4);
  }

  @Test
  void a_source_that_stops_arriving_fails_the_copy_as_an_io_error_not_as_bad_media()
      throws Exception {
    HeldBack source = new HeldBack(Files.readAllBytes(moovFirst), 0.6);
    SourceMedia media = transcoder.probe(source);
    Path hls = work.resolve("hls");
    Files.createDirectories(hls);

    CompletableFuture<StreamCopyHls.Copied> copy =
        CompletableFuture.supplyAsync(() -> copy(source, media, hls, new AtomicInteger()));
    await().atMost(Duration.ofSeconds(60)).until(() -> source.waitingForTail() > 0);
    source.failTheRest();

    assertThatThrownBy(() -> copy.get(60, TimeUnit.SECONDS))
        .hasCauseInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("download failed");
  }

  @Test
  void the_index_gives_the_same_segment_lengths_as_reading_every_packet() throws Exception {
    StreamCopyHls.Keyframes indexed;
    StreamCopyHls.Keyframes scanned;
    try (MediaInput in = MediaInput.open(moovFirst)) {
      indexed = StreamCopyHls.indexedKeyframes(in.context());
    }
    try (MediaInput in = MediaInput.open(moovFirst)) {
      scanned = StreamCopyHls.scanKeyframes(in, TranscodeListener.NONE);
    }
    assertThat(indexed).as("an MP4's sample tables list every frame").isNotNull();
    assertThat(indexed.times()).hasSameSizeAs(scanned.times()).hasSize(20);
    List<Double> fromIndex = indexed.segmentDurations(4);
    List<Double> fromPackets = scanned.segmentDurations(4);
    assertThat(fromIndex).hasSameSizeAs(fromPackets);
    for (int i = 0; i < fromIndex.size(); i++) {
      assertThat(fromIndex.get(i)).isCloseTo(fromPackets.get(i), within(0.001));
    }
    assertThat(indexed.targetDurationSeconds(4)).isEqualTo(scanned.targetDurationSeconds(4));
  }

  private static Rung rung(SourceMedia media) {
    return RenditionLadder.forSource(media.display()).get(0);
  }

  private static StreamCopyHls.Copied copy(
      ArrivingFile source, SourceMedia media, Path hls, AtomicInteger target) {
    Rung top = rung(media);
    Dimensions size = RenditionLadder.outputSize(media.display(), top);
    return StreamCopyHls.copyIfSuitable(source, media, top, size, hls, targetTo(target));
  }

  private StreamCopyHls.Copied copyOfTheWholeFile(Path file, SourceMedia media) throws Exception {
    Path hls = Files.createDirectories(work.resolve("whole-" + file.getFileName()));
    Rung top = rung(media);
    return StreamCopyHls.copyIfSuitable(
        file,
        media,
        top,
        RenditionLadder.outputSize(media.display(), top),
        hls,
        TranscodeListener.NONE);
  }

  private static TranscodeListener targetTo(AtomicInteger target) {
    return new TranscodeListener() {
      @Override
      public void progress(double fraction) {}

      @Override
      public boolean shouldStop() {
        return false;
      }

      @Override
      public void hlsTargetDuration(int seconds) {
        target.set(seconds);
      }
    };
  }

  private static List<String> segments(Path hls, String rung) throws IOException {
    Path playlist = hls.resolve(rung + ".m3u8");
    if (!Files.exists(playlist)) {
      return List.of();
    }
    return HlsFolder.parse(Files.readString(playlist, StandardCharsets.UTF_8)).segments();
  }

  /** A file whose head is there at once and whose tail arrives (or fails) when the test says. */
  private static final class HeldBack implements ArrivingFile {
    private final byte[] bytes;
    private final int head;
    private final CountDownLatch rest = new CountDownLatch(1);
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean failed;

    HeldBack(byte[] bytes, double headShare) {
      this.bytes = bytes;
      this.head = (int) (bytes.length * headShare);
    }

    /** How many reads have waited for the tail so far. */
    int waitingForTail() {
      return waiting.get();
    }

    void letTheRestArrive() {
      rest.countDown();
    }

    void failTheRest() {
      failed = true;
      rest.countDown();
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public int read(long position, byte[] into, int offset, int length) throws IOException {
      if (position >= bytes.length) {
        return -1;
      }
      if (position >= head && rest.getCount() > 0) {
        waiting.incrementAndGet();
        try {
          if (!rest.await(60, TimeUnit.SECONDS)) {
            throw new IOException("the tail never came");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
      }
      if (position >= head && failed) {
        throw new IOException("download failed");
      }
      long end = rest.getCount() > 0 ? head : bytes.length;
      int n = (int) Math.min(length, end - position);
      System.arraycopy(bytes, (int) position, into, offset, n);
      return n;
    }
  }
}
