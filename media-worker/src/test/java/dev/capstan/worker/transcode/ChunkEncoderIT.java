package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.devtools.media.SampleClips;
import dev.capstan.worker.testing.Fmp4;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
  void the_whole_video_part_is_the_audio_rendition_a_poster_and_a_storyboard_cue_per_second()
      throws Exception {
    SourceMedia media =
        new JavaCvTranscoder(new MediaLimits(9_437_184, Duration.ofHours(4), 240, 1L << 34))
            .probe(clip);
    Path out = dir.resolve("whole");
    Files.createDirectories(out);
    long t0 = System.nanoTime();
    ChunkEncoder.WholeOutput whole =
        ENCODER.encodeWhole(clip, media, out, out.resolve("hls"), TranscodeListener.NONE);
    System.out.printf("whole-video part of 20 s: %d ms%n", (System.nanoTime() - t0) / 1_000_000);

    assertThat(whole.audio().codecs()).isEqualTo("mp4a.40.2");
    assertThat(Files.readString(whole.audio().playlist()))
        .contains("#EXT-X-ENDLIST", "audio_init.mp4", "audio_00004.m4s");
    assertThat(whole.poster().sizeBytes()).isPositive();
    assertThat(whole.storyboard().tiles()).isEqualTo(20);
    assertThat(Files.readString(whole.storyboard().vtt())).contains("00:00:19.000 --> 00:00:2");
  }
}
