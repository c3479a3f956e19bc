package dev.capstan.worker.transcode;

import static dev.capstan.worker.testing.Ffmpeg.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.MediaProbe.MediaInfo;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.devtools.media.SampleClips.Spec;
import dev.capstan.model.video.FailureReason;
import dev.capstan.worker.testing.Ffmpeg;
import dev.capstan.worker.testing.Ffmpeg.VideoStream;
import dev.capstan.worker.testing.Mp4Boxes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What users really upload, generated here with the ffmpeg binary of the JavaCV jar (tiny and
 * short), transcoded by the real FFmpeg and checked by probing what was written; and hostile or
 * broken files, which must be rejected with a specific reason within seconds.
 */
class InputMatrixIT {
  private static final MediaLimits LIMITS = new MediaLimits(4096L * 2304, Duration.ofHours(4));
  private static final Duration QUICKLY = Duration.ofSeconds(10);

  @TempDir Path work;

  private final JavaCvTranscoder transcoder = new JavaCvTranscoder(LIMITS);

  @Test
  void a_phone_mp4_with_its_index_at_the_end_is_read_whole() throws Exception {
    Path src = SampleClips.generate(Spec.standard(1.5), work.resolve("phone.mp4"));
    List<String> boxes = Mp4Boxes.topLevel(src);
    assertThat(boxes.indexOf("moov")).as("moov after mdat").isGreaterThan(boxes.indexOf("mdat"));

    TranscodeResult r = transcode(src);

    MediaInfo out = MediaProbe.probe(r.download().path());
    assertThat(out.width()).isEqualTo(320);
    assertThat(out.audioCodec()).isEqualTo("aac");
    assertThat(out.durationSeconds()).isCloseTo(1.5, within(0.1));
  }

  @Test
  void a_static_60_fps_screen_recording_without_audio_keeps_its_frame_rate_and_has_no_audio()
      throws Exception {
    Path src = work.resolve("screen.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "color=c=0x336699:size=640x360:rate=60:duration=1.5,"
            + "drawbox=x=40:y=40:w=200:h=120:color=white:t=fill",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        src.toString());

    SourceMedia media = transcoder.probe(src);
    TranscodeResult r = transcoder.transcode(src, media, out(src), TranscodeListener.NONE);

    assertThat(media.fps()).isCloseTo(60, within(0.01));
    assertThat(media.hasAudio()).isFalse();
    assertThat(r.hls().audio()).isNull();
    String master = Files.readString(r.hls().master());
    assertThat(master).contains("FRAME-RATE=60.000", "CODECS=\"avc1.").doesNotContain("mp4a");
    assertThat(master).doesNotContain("#EXT-X-MEDIA");
    MediaInfo out = MediaProbe.probe(r.download().path());
    assertThat(out.audioCodec()).isNull();
    assertThat(out.durationSeconds()).isCloseTo(1.5, within(0.1));
    // 640x360 at 60 fps is past level 3.0's macroblock rate: 3.1.
    assertThat(r.hls().rungs()).extracting(TranscodeResult.HlsRung::level).containsExactly("3.1");
  }

  @Test
  void odd_dimensions_become_even_without_changing_the_picture_shape() throws Exception {
    Path src = work.resolve("odd.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=321x181:rate=30:duration=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv444p",
        src.toString());

    TranscodeResult r = transcode(src);

    VideoStream v = Ffmpeg.videoStream(r.download().path());
    assertThat(v.width()).isEqualTo(320);
    assertThat(v.height()).isEqualTo(180);
    assertThat(r.hls().rungs().get(0).size().toString()).isEqualTo("320x180");
  }

  @Test
  void yuv444_and_yuv422_sources_come_out_as_8_bit_yuv420p_high_profile() throws Exception {
    for (String pixelFormat : List.of("yuv444p", "yuv422p")) {
      Path src = work.resolve(pixelFormat + ".mp4");
      run(
          "-f",
          "lavfi",
          "-i",
          "testsrc2=size=320x180:rate=30:duration=1",
          "-c:v",
          "libx264",
          "-preset",
          "ultrafast",
          "-pix_fmt",
          pixelFormat,
          src.toString());
      assertThat(Ffmpeg.videoStream(src).pixelFormat()).isEqualTo(pixelFormat);

      TranscodeResult r = transcode(src);

      for (Path out : List.of(r.download().path(), r.hls().rungs().get(0).playlist())) {
        VideoStream v = Ffmpeg.videoStream(out);
        assertThat(v.pixelFormat())
            .as("%s from %s", out.getFileName(), pixelFormat)
            .isEqualTo("yuv420p");
        assertThat(v.profile()).as("High").isEqualTo(100);
      }
    }
  }

  @Test
  void a_webm_from_a_browser_recorder_vp9_opus_without_a_stated_duration_is_transcoded()
      throws Exception {
    Path src = work.resolve("recording.webm");
    Ffmpeg.runPiped(
        src,
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=2",
        "-c:v",
        "libvpx-vp9",
        "-deadline",
        "realtime",
        "-cpu-used",
        "8",
        "-b:v",
        "300k",
        "-c:a",
        "libopus",
        "-f",
        "webm");

    SourceMedia media = transcoder.probe(src);
    TranscodeResult r = transcoder.transcode(src, media, out(src), TranscodeListener.NONE);

    assertThat(media.videoCodec()).isEqualTo("vp9");
    assertThat(media.audioCodec()).isEqualTo("opus");
    MediaInfo out = MediaProbe.probe(r.download().path());
    assertThat(out.videoCodec()).isEqualTo("h264");
    assertThat(out.audioCodec()).isEqualTo("aac");
    assertThat(out.durationSeconds()).isCloseTo(2.0, within(0.15));
    assertThat(r.durationSeconds()).isCloseTo(2.0, within(0.15));
  }

  @Test
  void an_iphone_hevc_10_bit_mov_becomes_8_bit_h264() throws Exception {
    Path src = work.resolve("iphone.mov");
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30:duration=1",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000:duration=1",
        "-c:v",
        "libx265",
        "-preset",
        "ultrafast",
        "-x265-params",
        "log-level=error",
        "-pix_fmt",
        "yuv420p10le",
        "-tag:v",
        "hvc1",
        "-c:a",
        "aac",
        src.toString());
    SourceMedia media = transcoder.probe(src);
    assertThat(media.videoCodec()).isEqualTo("hevc");
    assertThat(Ffmpeg.videoStream(src).pixelFormat()).isEqualTo("yuv420p10le");

    TranscodeResult r = transcoder.transcode(src, media, out(src), TranscodeListener.NONE);

    VideoStream v = Ffmpeg.videoStream(r.download().path());
    assertThat(v.pixelFormat()).isEqualTo("yuv420p");
    assertThat(MediaProbe.probe(r.download().path()).videoCodec()).isEqualTo("h264");
    assertThat(r.download().codecs()).startsWith("avc1.64");
  }

  @Test
  void a_variable_frame_rate_source_keeps_its_length() throws Exception {
    Path src = work.resolve("vfr.mp4");
    // Keeps 4 frames of every 10 and their own timestamps: bursts and gaps.
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30:duration=3",
        "-vf",
        "select='lt(mod(n\\,10)\\,4)'",
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        src.toString());

    TranscodeResult r = transcode(src);

    MediaInfo out = MediaProbe.probe(r.download().path());
    assertThat(out.durationSeconds()).isCloseTo(3.0, within(0.25));
    assertThat(MediaProbe.probe(r.hls().rungs().get(0).playlist()).durationSeconds())
        .isCloseTo(3.0, within(0.25));
  }

  @Test
  void an_audio_only_file_gets_an_audio_hls_rendition_an_m4a_and_a_waveform_poster()
      throws Exception {
    Path src = work.resolve("voice.m4a");
    run(
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100:duration=2.5,volume='if(lt(t,1),0.2,1)':eval=frame",
        "-c:a",
        "aac",
        src.toString());

    SourceMedia media = transcoder.probe(src);
    TranscodeResult r = transcoder.transcode(src, media, out(src), TranscodeListener.NONE);

    assertThat(media.hasVideo()).isFalse();
    assertThat(r.audioOnly()).isTrue();
    assertThat(r.storyboard()).isNull();
    MediaInfo m4a = MediaProbe.probe(r.download().path());
    assertThat(m4a.videoCodec()).isNull();
    assertThat(m4a.audioCodec()).isEqualTo("aac");
    assertThat(m4a.durationSeconds()).isCloseTo(2.5, within(0.1));
    assertThat(r.download().codecs()).isEqualTo("mp4a.40.2");
    List<String> master = Files.readAllLines(r.hls().master());
    assertThat(master)
        .contains("audio.m3u8")
        .anySatisfy(
            l -> assertThat(l).startsWith("#EXT-X-STREAM-INF:").contains("CODECS=\"mp4a.40.2\""));
    assertThat(MediaProbe.probe(r.hls().audio().playlist()).durationSeconds())
        .isCloseTo(2.5, within(0.15));
    BufferedImage poster = ImageIO.read(r.poster().path().toFile());
    assertThat(poster.getWidth()).isEqualTo(640);
    assertThat(poster.getHeight()).isEqualTo(360);
    // The waveform: quiet first second, loud after it; bars are taller on the right.
    assertThat(litRows(poster, 420, 600)).isGreaterThan(litRows(poster, 20, 180) + 40);
  }

  @Test
  void a_clip_shorter_than_a_second_still_gets_every_output() throws Exception {
    Path src = SampleClips.generate(Spec.standard(0.3), work.resolve("blink.mp4"));

    TranscodeResult r = transcode(src);

    assertThat(MediaProbe.probe(r.download().path()).durationSeconds()).isCloseTo(0.3, within(0.1));
    assertThat(r.hls().rungs()).hasSize(1);
    assertThat(r.storyboard().tiles()).isEqualTo(1);
    assertThat(Files.readString(r.storyboard().vtt())).contains("00:00:00.000 --> 00:00:00.3");
    assertThat(ImageIO.read(r.poster().path().toFile()).getWidth()).isEqualTo(320);
  }

  @Test
  void a_ten_minute_video_gets_a_storyboard_of_at_most_100_tiles_and_hls_to_its_end()
      throws Exception {
    Path src = work.resolve("long.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=64x36:rate=2:duration=610",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        src.toString());

    TranscodeResult r = transcode(src);

    assertThat(r.durationSeconds()).isCloseTo(610, within(1.0));
    TranscodeResult.Storyboard board = r.storyboard();
    assertThat(board.intervalSeconds()).isEqualTo(7);
    assertThat(board.tiles()).isEqualTo(88);
    assertThat(Files.readString(board.vtt())).contains("00:10:09.000 --> 00:10:");
    String playlist = Files.readString(r.hls().rungs().get(0).playlist());
    assertThat(playlist.lines().filter(l -> l.endsWith(".m4s")).count()).isEqualTo(153);
  }

  // --- hostile and broken input ---

  @Test
  void an_empty_file_is_rejected() throws Exception {
    Path empty = Files.createFile(work.resolve("empty.mp4"));

    assertRejected(transcoder, empty, FailureReason.UNSUPPORTED_MEDIA);
  }

  @Test
  void random_bytes_are_rejected_with_ffmpegs_reason() throws Exception {
    byte[] noise = new byte[256 * 1024];
    new Random(42).nextBytes(noise);
    Path file = Files.write(work.resolve("noise.mp4"), noise);

    MediaRejected e = assertRejected(transcoder, file, FailureReason.UNSUPPORTED_MEDIA);
    assertThat(e.detail()).isEqualTo("Invalid data found when processing input");
  }

  @Test
  void a_text_file_named_like_a_video_is_rejected() throws Exception {
    Path text =
        Files.writeString(
            work.resolve("holiday.mp4"), "not a video\n".repeat(100), StandardCharsets.UTF_8);

    assertRejected(transcoder, text, FailureReason.UNSUPPORTED_MEDIA);
  }

  @Test
  void an_upload_cut_off_before_its_index_is_rejected_as_unreadable() throws Exception {
    Path whole = SampleClips.generate(Spec.standard(3), work.resolve("whole.mp4"));
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(work.resolve("cut.mp4"), Arrays.copyOf(bytes, bytes.length * 6 / 10));

    assertRejected(transcoder, cut, FailureReason.UNSUPPORTED_MEDIA);
  }

  @Test
  void an_upload_cut_off_after_its_index_fails_as_truncated_instead_of_a_short_video()
      throws Exception {
    Path whole = work.resolve("faststart.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30:duration=6",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        whole.toString());
    byte[] bytes = Files.readAllBytes(whole);
    Path cut = Files.write(work.resolve("cut-fast.mp4"), Arrays.copyOf(bytes, bytes.length / 2));

    SourceMedia media = transcoder.probe(cut);

    assertThat(media.durationSeconds()).isCloseTo(6, within(0.1));
    assertTimeoutPreemptively(
        QUICKLY,
        () ->
            assertThatThrownBy(
                    () -> transcoder.transcode(cut, media, out(cut), TranscodeListener.NONE))
                .isInstanceOfSatisfying(
                    MediaRejected.class,
                    e -> {
                      assertThat(e.reason()).isEqualTo(FailureReason.SOURCE_TRUNCATED);
                      assertThat(e.detail())
                          .matches("its media ends at 0:0\\d of the 0:06 it states");
                    }));
  }

  @Test
  void a_picture_too_large_to_decode_safely_is_rejected_from_the_probe() throws Exception {
    Path bomb = work.resolve("8k.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:size=7680x4320:rate=1:duration=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        bomb.toString());
    assertThat(Files.size(bomb)).as("a small file").isLessThan(100_000);

    MediaRejected e = assertRejected(transcoder, bomb, FailureReason.LIMITS_EXCEEDED);
    assertThat(e.detail()).isEqualTo("7680x4320 is 33177600 pixels, more than the 9437184 allowed");
  }

  @Test
  void a_frame_rate_bomb_is_rejected_from_the_probe() throws Exception {
    Path bomb = work.resolve("fast.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:size=16x16:rate=1000:duration=0.5",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        bomb.toString());

    MediaRejected e = assertRejected(transcoder, bomb, FailureReason.LIMITS_EXCEEDED);
    assertThat(e.detail()).isEqualTo("1000 frames per second, more than the 240 allowed");
  }

  @Test
  void a_duration_bomb_is_rejected_from_the_probe() throws Exception {
    Path bomb = work.resolve("endless.mp4");
    run(
        "-f",
        "lavfi",
        "-i",
        "color=c=black:size=16x16:rate=1/60:duration=18060",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        bomb.toString());

    MediaRejected e = assertRejected(transcoder, bomb, FailureReason.LIMITS_EXCEEDED);
    assertThat(e.detail()).isEqualTo("5:01:00 long, more than the 4:00:00 allowed");
  }

  @Test
  void a_file_over_the_size_limit_is_rejected_before_it_is_opened() throws Exception {
    Path src = SampleClips.generate(Spec.standard(0.5), work.resolve("small.mp4"));
    JavaCvTranscoder strict =
        new JavaCvTranscoder(new MediaLimits(4096L * 2304, Duration.ofHours(1), 240, 1024));

    MediaRejected e = assertRejected(strict, src, FailureReason.LIMITS_EXCEEDED);
    assertThat(e.detail()).startsWith("the file is ").endsWith("bytes, more than the 1024 allowed");
  }

  private static MediaRejected assertRejected(
      JavaCvTranscoder transcoder, Path file, FailureReason reason) {
    MediaRejected[] caught = new MediaRejected[1];
    assertTimeoutPreemptively(
        QUICKLY,
        () ->
            assertThatThrownBy(() -> transcoder.probe(file))
                .isInstanceOfSatisfying(
                    MediaRejected.class,
                    e -> {
                      assertThat(e.reason()).isEqualTo(reason);
                      caught[0] = e;
                    }));
    return caught[0];
  }

  /** Rows of the column range whose pixels are lit (a waveform bar crosses them). */
  private static int litRows(BufferedImage img, int fromX, int toX) {
    int rows = 0;
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = fromX; x < toX; x++) {
        if (((img.getRGB(x, y) >> 8) & 0xff) > 100) {
          rows++;
          break;
        }
      }
    }
    return rows;
  }

  private Path out(Path src) throws IOException {
    return Files.createDirectories(work.resolve("out-" + src.getFileName()));
  }

  private TranscodeResult transcode(Path src) throws IOException {
    return transcoder.transcode(src, transcoder.probe(src), out(src), TranscodeListener.NONE);
  }
}
