package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.media.Dimensions;
import dev.capstan.worker.testing.Ffmpeg;
import dev.capstan.worker.testing.Fmp4;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Chunks of one source, encoded apart, join into one continuous stream per rung. */
class ChunkEncoderIT {
  private static Path clip;
  private static Path dir;
  private static final ChunkEncoder ENCODER =
      new ChunkEncoder(
          new TranscodeOptions(
              new MediaLimits(9_437_184, Duration.ofHours(4), 240, 1L << 34),
              1,
              Duration.ofSeconds(60)));

  @BeforeAll
  static void generate() throws Exception {
    dir = Files.createTempDirectory("capstan-chunk-it");
    clip = SampleClips.generate(SampleClips.Spec.standard(20), dir.resolve("clip.mp4"));
  }

  @Test
  void two_chunks_encoded_apart_continue_each_other_segment_by_segment() throws Exception {
    SourceMedia media =
        new JavaCvTranscoder(new MediaLimits(9_437_184, Duration.ofHours(4), 240, 1L << 34))
            .probe(clip);
    int perSegment = ChunkEncoder.segmentFrames(ChunkEncoder.outputFps(media));
    assertThat(perSegment).isEqualTo(120);
    ChunkEncoder.ChunkOutput first =
        ENCODER.encodeChunk(
            clip,
            media,
            new ChunkEncoder.ChunkSpec(0, 2L * perSegment, 0, "c0_"),
            dir.resolve("c0"),
            TranscodeListener.NONE);
    ChunkEncoder.ChunkOutput second =
        ENCODER.encodeChunk(
            clip,
            media,
            new ChunkEncoder.ChunkSpec(2L * perSegment, Long.MAX_VALUE, 2, "c1_"),
            dir.resolve("c1"),
            TranscodeListener.NONE);
    assertThat(first.frames()).isEqualTo(240);
    assertThat(second.frames()).isEqualTo(600 - 240);

    ChunkEncoder.RungOutput a = first.rungs().get(0);
    ChunkEncoder.RungOutput b = second.rungs().get(0);
    assertThat(Files.readAllBytes(b.init()))
        .as("both chunks write the same init segment")
        .isEqualTo(Files.readAllBytes(a.init()));
    long timescale = Fmp4.timescale(a.init());
    long trex = Fmp4.defaultSampleDuration(a.init());
    List<Path> all = new ArrayList<>();
    a.segments().forEach(s -> all.add(s.file()));
    b.segments().forEach(s -> all.add(s.file()));
    assertThat(all)
        .extracting(p -> p.getFileName().toString())
        .containsExactly(
            "c0_360p_00000.m4s",
            "c0_360p_00001.m4s",
            "c1_360p_00002.m4s",
            "c1_360p_00003.m4s",
            "c1_360p_00004.m4s");
    long expected = 0;
    for (Path seg : all) {
      Fmp4.Fragment f = Fmp4.fragment(seg, trex);
      assertThat(f.baseDecodeTime()).as("tfdt of %s", seg.getFileName()).isEqualTo(expected);
      assertThat(f.samples()).as("pictures in %s", seg.getFileName()).isEqualTo(perSegment);
      assertThat(f.duration()).isEqualTo(4 * timescale);
      expected = f.baseDecodeTime() + f.duration();
    }
  }

  @Test
  void the_chunks_stills_join_into_a_storyboard_on_time_and_the_whole_videos_poster()
      throws Exception {
    SourceMedia media =
        new JavaCvTranscoder(new MediaLimits(9_437_184, Duration.ofHours(4), 240, 1L << 34))
            .probe(clip);
    int perSegment = ChunkEncoder.segmentFrames(ChunkEncoder.outputFps(media));
    // Frames 0-239, 240-359 and 360 to the end: 8 s, 4 s and 8 s.
    long[] starts = {0, 2L * perSegment, 3L * perSegment};
    List<ChunkEncoder.ChunkOutput> chunks = new ArrayList<>();
    for (int i = 0; i < starts.length; i++) {
      long end = i + 1 < starts.length ? starts[i + 1] : Long.MAX_VALUE;
      chunks.add(
          ENCODER.encodeChunk(
              clip,
              media,
              new ChunkEncoder.ChunkSpec(
                  starts[i], end, (int) (starts[i] / perSegment), "s" + i + "_"),
              dir.resolve("s" + i),
              TranscodeListener.NONE));
    }
    // 1 s tiles: 0-7 in the first chunk (frames 0-239), 8-11 in the second, 12-19 in the last.
    assertThat(chunks)
        .extracting(c -> c.storyboard().firstTile() + "+" + c.storyboard().tiles())
        .containsExactly("0+8", "8+4", "12+8");

    Path out = dir.resolve("stitched");
    Files.createDirectories(out);
    TranscodeResult.Storyboard board =
        ChunkEncoder.stitchStoryboard(
            media.display(),
            media.durationSeconds(),
            chunks.stream().map(ChunkEncoder.ChunkOutput::storyboard).toList(),
            out.resolve("storyboard.jpg"),
            out.resolve("storyboard.vtt"));
    assertThat(board.tiles()).isEqualTo(20);
    assertThat(board.sheet()).isEqualTo(new Dimensions(1600, 180));
    List<String> lines = Files.readAllLines(board.vtt());
    List<String> cues = lines.stream().filter(l -> l.contains(" --> ")).toList();
    assertThat(cues).hasSize(20);
    for (int i = 0; i < 20; i++) {
      String to = i == 19 ? "00:00:20.000" : StoryboardBuilder.timestamp(i + 1);
      assertThat(cues.get(i)).isEqualTo(StoryboardBuilder.timestamp(i) + " --> " + to);
      assertThat(lines.get(lines.indexOf(cues.get(i)) + 1))
          .isEqualTo("storyboard.jpg#xywh=%d,%d,160,90".formatted((i % 10) * 160, (i / 10) * 90));
    }
    // Each tile is the picture of its cue's start: closer to it than to the second before or after.
    BufferedImage sheet = ImageIO.read(board.sprite().toFile());
    List<BufferedImage> reference = referenceTiles();
    for (int i = 0; i < 20; i++) {
      BufferedImage tile = sheet.getSubimage((i % 10) * 160, (i / 10) * 90, 160, 90);
      double own = difference(tile, reference.get(i));
      assertThat(own).as("tile %d against the picture at %d s", i, i).isLessThan(12);
      for (int other : new int[] {i - 1, i + 1}) {
        if (other >= 0 && other < 20) {
          assertThat(own)
              .as("tile %d is the picture at %d s, not %d s", i, i, other)
              .isLessThan(difference(tile, reference.get(other)));
        }
      }
    }

    // The poster candidates at 0 (first picture), 2, 5, 8, 10, 12 and 15 s of 20: the best of the
    // chunks' bests is the best of them all.
    double expected = 0;
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(clip.toFile())) {
      grabber.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
      grabber.start();
      java.util.Set<Integer> at = java.util.Set.of(0, 60, 150, 240, 300, 360, 450);
      Frame f;
      for (int n = 0; (f = grabber.grabImage()) != null; n++) {
        if (at.contains(n)) {
          expected = Math.max(expected, PosterPicker.lumaScore(f));
        }
      }
    }
    assertThat(chunks).allSatisfy(c -> assertThat(c.poster()).isNotNull());
    double best = chunks.stream().mapToDouble(c -> c.poster().score()).max().orElseThrow();
    assertThat(best).isCloseTo(expected, within(1e-6));
    ChunkEncoder.PosterCandidate poster = chunks.get(0).poster();
    assertThat(poster.size()).isEqualTo(new Dimensions(320, 180));
    assertThat(ImageIO.read(poster.jpeg().toFile()).getWidth()).isEqualTo(320);
  }

  /** The clip's picture at every whole second, scaled to a tile by the ffmpeg command. */
  private static List<BufferedImage> referenceTiles() throws Exception {
    Path refs = Files.createDirectories(dir.resolve("refs"));
    Ffmpeg.run(
        "-i",
        clip.toString(),
        "-vf",
        "select=not(mod(n\\,30)),scale=160:90:flags=bicubic",
        "-fps_mode",
        "passthrough",
        refs.resolve("t%03d.png").toString());
    List<BufferedImage> out = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      out.add(ImageIO.read(refs.resolve("t%03d.png".formatted(i)).toFile()));
    }
    return out;
  }

  /** Mean absolute difference of the two images' grey levels (0-255). */
  private static double difference(BufferedImage a, BufferedImage b) {
    double sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        sum += Math.abs(grey(a.getRGB(x, y)) - grey(b.getRGB(x, y)));
      }
    }
    return sum / (a.getWidth() * a.getHeight());
  }

  private static double grey(int rgb) {
    return 0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff);
  }

  @Test
  void the_whole_video_part_is_the_audio_rendition_alone() throws Exception {
    SourceMedia media =
        new JavaCvTranscoder(new MediaLimits(9_437_184, Duration.ofHours(4), 240, 1L << 34))
            .probe(clip);
    Path out = dir.resolve("whole");
    Files.createDirectories(out);
    TranscodeResult.HlsAudio audio =
        ENCODER.encodeAudio(
            clip, media, out.resolve("hls"), "c0003a2_audio", TranscodeListener.NONE);

    assertThat(audio.codecs()).isEqualTo("mp4a.40.2");
    assertThat(audio.playlist().getFileName().toString()).isEqualTo("c0003a2_audio.m3u8");
    assertThat(Files.readString(audio.playlist()))
        .contains("#EXT-X-ENDLIST", "c0003a2_audio_init.mp4", "c0003a2_audio_00004.m4s");
    try (var files = Files.list(out.resolve("hls"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .allMatch(n -> n.startsWith("c0003a2_audio"), "only the audio rendition");
    }
  }
}
