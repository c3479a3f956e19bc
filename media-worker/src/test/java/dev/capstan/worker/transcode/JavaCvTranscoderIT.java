package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.MediaProbe.MediaInfo;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.devtools.media.SampleClips.Spec;
import dev.capstan.model.video.FailureReason;
import dev.capstan.worker.testing.Mp4Boxes;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real FFmpeg on tiny generated clips: what a viewer would check in the files it writes. */
class JavaCvTranscoderIT {
  private static final MediaLimits LIMITS = new MediaLimits(4096L * 2304, Duration.ofHours(4));

  @TempDir static Path clips;

  private static Path standardClip;
  private static TranscodeResult standardResult;
  private static final List<Double> standardProgress = new ArrayList<>();

  @TempDir Path work;

  private final JavaCvTranscoder transcoder = new JavaCvTranscoder(LIMITS);

  @BeforeAll
  static void transcodeTheStandardClipOnce() throws Exception {
    standardClip = SampleClips.generate(Spec.standard(2.0), clips.resolve("standard.mp4"));
    JavaCvTranscoder t = new JavaCvTranscoder(LIMITS);
    Path out = Files.createDirectories(clips.resolve("standard-out"));
    standardResult =
        t.transcode(
            standardClip,
            t.probe(standardClip),
            out,
            new TranscodeListener() {
              @Override
              public void progress(double fraction) {
                standardProgress.add(fraction);
              }

              @Override
              public boolean shouldStop() {
                return false;
              }
            });
  }

  @Test
  void probe_reads_size_duration_frame_rate_and_codecs() {
    SourceMedia media = transcoder.probe(standardClip);

    assertThat(media.display().toString()).isEqualTo("320x180");
    assertThat(media.durationSeconds()).isCloseTo(2.0, within(0.05));
    assertThat(media.fps()).isCloseTo(30.0, within(0.01));
    assertThat(media.videoCodec()).isEqualTo("h264");
    assertThat(media.audioCodec()).isEqualTo("aac");
    assertThat(media.rotationDegrees()).isZero();
  }

  @Test
  void a_small_clip_becomes_an_h264_aac_mp4_of_its_own_size_and_length() throws Exception {
    MediaInfo out = MediaProbe.probe(standardResult.download().path());

    assertThat(out.videoCodec()).isEqualTo("h264");
    assertThat(out.audioCodec()).isEqualTo("aac");
    assertThat(out.audioChannels()).isEqualTo(2);
    assertThat(out.width()).isEqualTo(320);
    assertThat(out.height()).isEqualTo(180);
    assertThat(out.durationSeconds()).isCloseTo(2.0, within(0.1));
    // Remuxed: the source's own profile (the fixture's x264 ultrafast is Constrained Baseline).
    assertThat(standardResult.download().codecs())
        .matches("avc1\\.(42|4d|64)[0-9a-f]{4},mp4a\\.40\\.2");
    assertThat(standardResult.download().bitrateKbps()).isPositive();
  }

  @Test
  void the_mp4_has_its_index_before_its_media_so_playback_starts_before_the_download_ends()
      throws IOException {
    List<String> boxes = Mp4Boxes.topLevel(standardResult.download().path());

    assertThat(boxes).contains("moov", "mdat");
    assertThat(boxes.indexOf("moov")).isLessThan(boxes.indexOf("mdat"));
  }

  @Test
  void the_poster_is_a_jpeg_of_the_output_size() throws IOException {
    Path poster = standardResult.poster().path();
    byte[] bytes = Files.readAllBytes(poster);
    BufferedImage image = ImageIO.read(poster.toFile());

    assertThat(bytes[0] & 0xff).isEqualTo(0xFF);
    assertThat(bytes[1] & 0xff).isEqualTo(0xD8);
    assertThat(image.getWidth()).isEqualTo(320);
    assertThat(image.getHeight()).isEqualTo(180);
  }

  @Test
  void progress_is_reported_along_the_way_and_reaches_the_end() {
    assertThat(standardProgress).hasSizeGreaterThan(10).isSorted();
    assertThat(standardProgress.get(standardProgress.size() - 1)).isEqualTo(1.0);
  }

  @Test
  void a_720p_source_keeps_its_size() throws Exception {
    MediaInfo out = transcodeToInfo(Spec.standard(1.0).withSize(1280, 720), "hd.mp4");

    assertThat(out.width()).isEqualTo(1280);
    assertThat(out.height()).isEqualTo(720);
    assertThat(out.durationSeconds()).isCloseTo(1.0, within(0.1));
  }

  @Test
  void a_1080p_source_is_scaled_down_to_720p() throws Exception {
    MediaInfo out = transcodeToInfo(Spec.standard(0.5).withSize(1920, 1080), "fullhd.mp4");

    assertThat(out.videoCodec()).isEqualTo("h264");
    assertThat(out.width()).isEqualTo(1280);
    assertThat(out.height()).isEqualTo(720);
    assertThat(out.durationSeconds()).isCloseTo(0.5, within(0.1));
  }

  @Test
  void a_clip_without_audio_gives_a_video_only_mp4() throws Exception {
    MediaInfo out = transcodeToInfo(Spec.standard(1.0).withoutAudio(), "silent.mp4");

    assertThat(out.videoCodec()).isEqualTo("h264");
    assertThat(out.audioCodec()).isNull();
    assertThat(out.durationSeconds()).isCloseTo(1.0, within(0.1));
  }

  @Test
  void an_mpeg4_part2_source_is_reencoded_to_h264() throws Exception {
    Path src =
        SampleClips.generate(Spec.standard(1.0).withVideoCodec("mpeg4"), work.resolve("m4v.mp4"));
    assertThat(transcoder.probe(src).videoCodec()).isEqualTo("mpeg4");

    TranscodeResult r = transcode(src);
    MediaInfo out = MediaProbe.probe(r.download().path());

    assertThat(r.downloadRemuxed()).isFalse();
    assertThat(out.videoCodec()).isEqualTo("h264");
    assertThat(out.audioCodec()).isEqualTo("aac");
    assertThat(r.download().codecs()).startsWith("avc1.64");
  }

  @Test
  void an_encoded_mp4_is_the_720p_rung_and_the_audio_rendition_remuxed_with_its_index_first()
      throws Exception {
    Path src =
        SampleClips.generate(
            Spec.standard(5.0).withSize(1280, 720).withVideoCodec("mpeg4"),
            work.resolve("hd-m4v.mp4"));
    TranscodeResult r = transcode(src);
    Path mp4 = r.download().path();
    TranscodeResult.HlsRung hd =
        r.hls().rungs().stream()
            .filter(rung -> rung.rung().name().equals("720p"))
            .findFirst()
            .orElseThrow();
    MediaPlaylist playlist = MediaPlaylist.read(hd.playlist());
    assertThat(playlist.segments()).hasSizeGreaterThan(1);
    Path joined = work.resolve("720p-joined.mp4");
    Files.write(joined, Files.readAllBytes(hd.playlist().resolveSibling(playlist.init())));
    for (String segment : playlist.segments()) {
      Files.write(
          joined,
          Files.readAllBytes(hd.playlist().resolveSibling(segment)),
          java.nio.file.StandardOpenOption.APPEND);
    }

    assertThat(r.downloadRemuxed()).as("the source itself is not remuxed").isFalse();
    // Every picture of the download is the 720p rung's, packet for packet: no second encode.
    assertThat(videoPacketSizes(mp4)).hasSize(150).isEqualTo(videoPacketSizes(joined));
    assertThat(r.download().codecs()).isEqualTo(hd.codecs() + "," + r.hls().audio().codecs());
    MediaInfo out = MediaProbe.probe(mp4);
    assertThat(new int[] {out.width(), out.height()}).containsExactly(1280, 720);
    assertThat(out.audioCodec()).isEqualTo("aac");
    assertThat(out.durationSeconds()).isCloseTo(5.0, within(0.1));
    assertThat(Mp4Boxes.topLevel(mp4).indexOf("moov"))
        .isLessThan(Mp4Boxes.topLevel(mp4).indexOf("mdat"));
    assertThat(Files.list(mp4.getParent()).map(p -> p.getFileName().toString()))
        .as("no joined fragments left beside the download")
        .noneMatch(name -> name.endsWith(".fmp4"));
  }

  @Test
  void an_h264_aac_source_at_the_download_size_is_remuxed_packet_for_packet_not_reencoded()
      throws Exception {
    SourceMedia media = transcoder.probe(standardClip);
    assertThat(media.streamCopyable()).isTrue();

    Path mp4 = standardResult.download().path();

    assertThat(standardResult.downloadRemuxed()).isTrue();
    // Every video packet is the source's, byte for byte in size and order: no encoder ran.
    assertThat(videoPacketSizes(mp4)).isEqualTo(videoPacketSizes(standardClip));
    assertThat(Mp4Boxes.topLevel(mp4).indexOf("moov"))
        .isLessThan(Mp4Boxes.topLevel(mp4).indexOf("mdat"));
    // The top HLS rung is the source's own packets too (stream copy): the source's codec string.
    assertThat(standardResult.hls().rungs().get(0).codecs())
        .isEqualTo(standardResult.download().codecs().split(",")[0]);
  }

  @Test
  void an_h264_source_above_the_download_size_or_its_bitrate_cap_is_reencoded() throws Exception {
    Path big =
        SampleClips.generate(Spec.standard(0.5).withSize(1920, 1080), work.resolve("big.mp4"));
    SourceMedia media = transcoder.probe(big);
    assertThat(media.streamCopyable()).isTrue();
    assertThat(
            JavaCvTranscoder.canRemuxDownload(
                media,
                dev.capstan.model.media.RenditionLadder.outputSize(
                    media.display(), dev.capstan.model.media.RenditionLadder.DOWNLOAD)))
        .isFalse();
    SourceMedia fat =
        new SourceMedia(
            "mov,mp4,m4a,3gp,3g2,mj2",
            2,
            1280,
            720,
            new dev.capstan.model.media.Dimensions(1280, 720),
            0,
            30,
            false,
            "h264",
            "aac",
            8000,
            true);
    assertThat(JavaCvTranscoder.canRemuxDownload(fat, fat.display())).isFalse();
  }

  private static List<Integer> videoPacketSizes(Path file) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
      g.start();
      AVPacket pkt;
      while ((pkt = g.grabPacket()) != null) {
        if (pkt.stream_index() == g.getVideoStream()) {
          sizes.add(pkt.size());
        }
      }
    }
    return sizes;
  }

  @Test
  void a_phone_video_stored_on_its_side_comes_out_upright() throws Exception {
    Path sideways = work.resolve("sideways.mp4");
    ffmpeg(
        "-display_rotation",
        "90",
        "-i",
        standardClip.toString(),
        "-c",
        "copy",
        sideways.toString());
    // FFmpeg's own command line rotates on decode: the reference picture of "upright".
    Path reference = work.resolve("reference.mp4");
    ffmpeg(
        "-i",
        sideways.toString(),
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        reference.toString());

    SourceMedia media = transcoder.probe(sideways);
    TranscodeResult result = transcoder.transcode(sideways, media, work, TranscodeListener.NONE);
    MediaInfo out = MediaProbe.probe(result.download().path());

    assertThat(media.display().toString()).isEqualTo("180x320");
    assertThat(out.width()).isEqualTo(180);
    assertThat(out.height()).isEqualTo(320);
    BufferedImage ours = frameAt(result.download().path(), 500_000);
    BufferedImage upright = frameAt(reference, 500_000);
    assertThat(meanDifference(ours, upright))
        .isLessThan(meanDifference(ours, rotate180(upright)) / 3);
  }

  @Test
  void a_text_file_is_rejected_as_unsupported_media_with_ffmpegs_reason() throws IOException {
    Path text = work.resolve("notes");
    Files.writeString(
        text, "This is a shopping list, not a video.\n".repeat(40), StandardCharsets.UTF_8);

    assertThatThrownBy(() -> transcoder.probe(text))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e -> {
              assertThat(e.reason()).isEqualTo(FailureReason.UNSUPPORTED_MEDIA);
              assertThat(e.detail()).isEqualTo("Invalid data found when processing input");
            });
  }

  @Test
  void a_source_beyond_the_pixel_limit_is_rejected_before_any_decoding() {
    JavaCvTranscoder strict =
        new JavaCvTranscoder(new MediaLimits(320L * 180 - 1, Duration.ofHours(1)));

    assertThatThrownBy(() -> strict.probe(standardClip))
        .isInstanceOfSatisfying(
            MediaRejected.class,
            e -> assertThat(e.reason()).isEqualTo(FailureReason.LIMITS_EXCEEDED));
  }

  @Test
  void a_transcode_asked_to_stop_stops() {
    SourceMedia media = transcoder.probe(standardClip);

    assertThatThrownBy(
            () ->
                transcoder.transcode(
                    standardClip,
                    media,
                    work,
                    new TranscodeListener() {
                      @Override
                      public void progress(double fraction) {}

                      @Override
                      public boolean shouldStop() {
                        return true;
                      }
                    }))
        .isInstanceOf(TranscodeStopped.class);
  }

  @Test
  void a_480p_source_becomes_an_hls_ladder_of_480p_and_360p_with_aligned_4_second_segments()
      throws Exception {
    Path src = SampleClips.generate(Spec.standard(5.0).withSize(854, 480), work.resolve("sd.mp4"));
    TranscodeResult result = transcode(src);
    TranscodeResult.HlsOutput hls = result.hls();

    assertThat(hls.rungs()).extracting(r -> r.rung().name()).containsExactly("480p", "360p");
    List<String> master = Files.readAllLines(hls.master());
    assertThat(master.get(0)).isEqualTo("#EXTM3U");
    List<String> variants =
        master.stream().filter(l -> l.startsWith("#EXT-X-STREAM-INF:")).toList();
    assertThat(variants).hasSize(2);
    // High profile at the level of each rung: 3.1 (0x1f) for 480p30, 3.0 (0x1e) for 360p30.
    assertThat(variants.get(0))
        .containsPattern("BANDWIDTH=\\d+")
        .contains("RESOLUTION=854x480")
        .contains("CODECS=\"avc1.64001f,mp4a.40.2\"")
        .contains("AUDIO=\"audio\"");
    assertThat(variants.get(1)).contains("RESOLUTION=640x360", "CODECS=\"avc1.64001e,mp4a.40.2\"");
    assertThat(hls.rungs()).extracting(TranscodeResult.HlsRung::level).containsExactly("3.1", "3");
    assertThat(master).contains("480p.m3u8", "360p.m3u8");
    // The audio is encoded once, as its own rendition that every rung plays with.
    assertThat(master)
        .filteredOn(l -> l.startsWith("#EXT-X-MEDIA:"))
        .singleElement()
        .asString()
        .contains("TYPE=AUDIO", "GROUP-ID=\"audio\"", "DEFAULT=YES", "URI=\"audio.m3u8\"");
    MediaInfo audio = MediaProbe.probe(hls.audio().playlist());
    assertThat(audio.videoCodec()).isNull();
    assertThat(audio.audioCodec()).isEqualTo("aac");
    assertThat(audio.audioChannels()).isEqualTo(2);
    assertThat(audio.durationSeconds()).isCloseTo(5.0, within(0.15));
    assertThat(hls.audio().codecs()).isEqualTo("mp4a.40.2");

    List<List<Double>> durations = new ArrayList<>();
    for (TranscodeResult.HlsRung rung : hls.rungs()) {
      MediaInfo info = MediaProbe.probe(rung.playlist());
      assertThat(info.videoCodec()).isEqualTo("h264");
      assertThat(info.audioCodec()).as("rungs carry no audio of their own").isNull();
      assertThat(new int[] {info.width(), info.height()})
          .containsExactly(rung.size().width(), rung.size().height());
      assertThat(info.durationSeconds()).isCloseTo(5.0, within(0.15));

      MediaPlaylist playlist = MediaPlaylist.read(rung.playlist());
      assertThat(playlist.lines()).contains("#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST");
      assertThat(playlist.segments()).hasSize(2);
      assertThat(playlist.durations().get(0)).isCloseTo(4.0, within(0.05));
      for (String segment : playlist.segments()) {
        assertThat(
                firstVideoPacketIsKeyframe(
                    hls.dir().resolve(playlist.init()), hls.dir().resolve(segment)))
            .as("%s starts with a keyframe", segment)
            .isTrue();
      }
      durations.add(playlist.durations());
    }
    assertThat(durations.get(1)).isEqualTo(durations.get(0));

    MediaInfo mp4 = MediaProbe.probe(result.download().path());
    assertThat(mp4.width()).isEqualTo(854);
    assertThat(mp4.height()).isEqualTo(480);
    assertThat(mp4.durationSeconds()).isCloseTo(5.0, within(0.1));
  }

  @Test
  void a_source_smaller_than_the_lowest_rung_gets_one_rung_of_its_own_size() throws IOException {
    TranscodeResult.HlsOutput hls = standardResult.hls();

    assertThat(hls.rungs()).hasSize(1);
    assertThat(hls.rungs().get(0).size().toString()).isEqualTo("320x180");
    assertThat(Files.readString(hls.master())).contains("RESOLUTION=320x180");
  }

  @Test
  void the_storyboard_is_a_sprite_sheet_with_a_webvtt_cue_per_tile_covering_the_whole_video()
      throws IOException {
    TranscodeResult.Storyboard board = standardResult.storyboard();
    BufferedImage sheet = ImageIO.read(board.sprite().toFile());
    List<String> lines = Files.readAllLines(board.vtt());

    assertThat(board.tiles()).isEqualTo(2);
    assertThat(board.tile().toString()).isEqualTo("160x90");
    assertThat(sheet.getWidth()).isEqualTo(320);
    assertThat(sheet.getHeight()).isEqualTo(90);
    assertThat(lines.get(0)).isEqualTo("WEBVTT");
    List<String> timings = lines.stream().filter(l -> l.contains(" --> ")).toList();
    List<String> targets = lines.stream().filter(l -> l.contains("#xywh=")).toList();
    assertThat(timings)
        .containsExactly(
            "00:00:00.000 --> 00:00:01.000",
            "00:00:01.000 --> " + StoryboardBuilder.timestamp(standardResult.durationSeconds()));
    assertThat(targets)
        .containsExactly("storyboard.jpg#xywh=0,0,160,90", "storyboard.jpg#xywh=160,0,160,90");
    // Two different moments of a moving test pattern: the tiles differ.
    assertThat(meanDifference(sheet.getSubimage(0, 0, 160, 90), sheet.getSubimage(160, 0, 160, 90)))
        .isGreaterThan(5);
  }

  @Test
  void the_poster_is_a_detailed_frame_even_when_the_video_opens_on_black() throws Exception {
    Path src = work.resolve("fade-in.mp4");
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30:duration=3,fade=type=in:start_time=1.2:duration=0.1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        src.toString());
    assertThat(lumaStats(frameAt(src, 1_000_000))[1])
        .as("the fixture is black at 1 s, where a fixed-time poster would be taken")
        .isLessThan(2);

    BufferedImage poster = ImageIO.read(transcode(src).poster().path().toFile());

    double[] stats = lumaStats(poster);
    assertThat(stats[0]).as("mean luma").isGreaterThan(40);
    assertThat(stats[1]).as("luma standard deviation").isGreaterThan(30);
  }

  @Test
  void a_transcode_whose_progress_stops_is_aborted_by_the_stall_detector() {
    JavaCvTranscoder impatient =
        new JavaCvTranscoder(new TranscodeOptions(LIMITS, 1, Duration.ofMillis(300)));
    SourceMedia media = impatient.probe(standardClip);
    boolean[] stuck = {false};

    assertThatThrownBy(
            () ->
                impatient.transcode(
                    standardClip,
                    media,
                    work,
                    new TranscodeListener() {
                      @Override
                      public void progress(double fraction) {
                        if (fraction > 0.3 && !stuck[0]) {
                          stuck[0] = true;
                          // A stuck encoder, as far as the loop can tell: no frame for a second.
                          sleepQuietly(1000);
                        }
                      }

                      @Override
                      public boolean shouldStop() {
                        return false;
                      }
                    }))
        .isInstanceOf(TranscodeStalled.class)
        .hasMessageContaining("no progress for 1.")
        .hasMessageContaining("stall timeout 0.3 s");
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Mean and standard deviation of the luma of an image. */
  static double[] lumaStats(BufferedImage img) {
    double sum = 0;
    double squares = 0;
    int n = img.getWidth() * img.getHeight();
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        int p = img.getRGB(x, y);
        double l = 0.299 * ((p >> 16) & 0xff) + 0.587 * ((p >> 8) & 0xff) + 0.114 * (p & 0xff);
        sum += l;
        squares += l * l;
      }
    }
    double mean = sum / n;
    return new double[] {mean, Math.sqrt(Math.max(0, squares / n - mean * mean))};
  }

  /** A media playlist as a player reads it: the init segment, segments and their durations. */
  private record MediaPlaylist(
      List<String> lines, String init, List<String> segments, List<Double> durations) {
    static MediaPlaylist read(Path file) throws IOException {
      List<String> lines = Files.readAllLines(file);
      String init = null;
      List<String> segments = new ArrayList<>();
      List<Double> durations = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("#EXT-X-MAP:URI=")) {
          init = line.substring("#EXT-X-MAP:URI=".length()).replace("\"", "");
        } else if (line.startsWith("#EXTINF:")) {
          durations.add(Double.parseDouble(line.substring(8, line.indexOf(','))));
        } else if (!line.isBlank() && !line.startsWith("#")) {
          segments.add(line);
        }
      }
      assertThat(init).as("EXT-X-MAP in %s", file).isNotNull();
      return new MediaPlaylist(lines, init, segments, durations);
    }
  }

  /** Init segment + one media segment make a playable fragment; its first video packet decides. */
  private boolean firstVideoPacketIsKeyframe(Path init, Path segment) throws Exception {
    Path joined = work.resolve("joined-" + segment.getFileName() + ".mp4");
    Files.write(joined, Files.readAllBytes(init));
    Files.write(joined, Files.readAllBytes(segment), java.nio.file.StandardOpenOption.APPEND);
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(joined.toFile())) {
      g.start();
      int video = g.getVideoStream();
      AVPacket pkt;
      while ((pkt = g.grabPacket()) != null) {
        if (pkt.stream_index() == video) {
          return (pkt.flags() & avcodec.AV_PKT_FLAG_KEY) != 0;
        }
      }
      return false;
    }
  }

  private MediaInfo transcodeToInfo(Spec spec, String name) throws Exception {
    Path src = SampleClips.generate(spec, work.resolve(name));
    return MediaProbe.probe(transcode(src).download().path());
  }

  private TranscodeResult transcode(Path src) throws IOException {
    Path out = Files.createDirectories(work.resolve("out-" + src.getFileName()));
    return transcoder.transcode(src, transcoder.probe(src), out, TranscodeListener.NONE);
  }

  private static void ffmpeg(String... args) throws Exception {
    SampleClips.ffmpeg(args);
  }

  private static BufferedImage frameAt(Path file, long micros) throws Exception {
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile());
        Java2DFrameConverter c = new Java2DFrameConverter()) {
      g.start();
      g.setTimestamp(micros);
      Frame f = g.grabImage();
      BufferedImage img = c.getBufferedImage(f);
      BufferedImage copy =
          new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
      copy.getGraphics().drawImage(img, 0, 0, null);
      return copy;
    }
  }

  private static BufferedImage rotate180(BufferedImage img) {
    BufferedImage r =
        new BufferedImage(img.getWidth(), img.getHeight(), BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < img.getHeight(); y++) {
      for (int x = 0; x < img.getWidth(); x++) {
        r.setRGB(img.getWidth() - 1 - x, img.getHeight() - 1 - y, img.getRGB(x, y));
      }
    }
    return r;
  }

  private static double meanDifference(BufferedImage a, BufferedImage b) {
    assertThat(a.getWidth()).isEqualTo(b.getWidth());
    assertThat(a.getHeight()).isEqualTo(b.getHeight());
    long sum = 0;
    for (int y = 0; y < a.getHeight(); y++) {
      for (int x = 0; x < a.getWidth(); x++) {
        int p = a.getRGB(x, y);
        int q = b.getRGB(x, y);
        for (int shift = 0; shift <= 16; shift += 8) {
          sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
        }
      }
    }
    return sum / (3.0 * a.getWidth() * a.getHeight());
  }
}
