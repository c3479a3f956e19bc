package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_H264;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_AAC_LOW;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_H264_BASELINE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_H264_CONSTRAINED_BASELINE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_H264_HIGH;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PROFILE_H264_MAIN;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_side_data_get;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_frame_rate;
import static org.bytedeco.ffmpeg.global.avformat.av_guess_sample_aspect_ratio;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_display_rotation_get;
import static org.bytedeco.ffmpeg.global.avutil.av_log_set_level;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_strerror;
import static org.bytedeco.ffmpeg.global.swscale.SWS_BICUBIC;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.video.FailureReason;
import dev.capstan.worker.transcode.TranscodeResult.HlsAudio;
import dev.capstan.worker.transcode.TranscodeResult.HlsOutput;
import dev.capstan.worker.transcode.TranscodeResult.HlsRung;
import dev.capstan.worker.transcode.TranscodeResult.OutputFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameFilter;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameFilter;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * {@link Transcoder} on FFmpeg through JavaCV: probes with libavformat directly (for FFmpeg's own
 * error text) and checks the limits before any decoding; decodes once to YUV 4:2:0 at the source's
 * size and feeds every picture to one video-only HLS encoder per rung of the ladder (fMP4 segments,
 * keyframes aligned across rungs), each scaling bicubically to its own size; the audio is encoded
 * once, as its own rendition shared by every rung. The fast-start MP4 download is then remuxed from
 * the 720p rung's segments (the top rung's, below 720p) and the audio rendition's, not encoded a
 * second time (a copyable source is remuxed itself instead). From the same decode it picks the
 * poster (the most detailed of a few candidate frames) and samples the storyboard. Audio-only
 * sources get an audio HLS rendition, an M4A and a waveform poster.
 *
 * <p>Usable without Quarkus: {@code new JavaCvTranscoder(TranscodeOptions.defaults(limits))}, then
 * {@link #probe} and {@link #transcode}.
 */
public final class JavaCvTranscoder implements Transcoder {
  private static final int AUDIO_BITRATE = 128_000;
  private static final int AUDIO_SAMPLE_RATE = 48_000;
  static final int AUDIO_CHANNELS = 2;
  static final double HLS_SEGMENT_SECONDS = 4.0;
  private static final double FALLBACK_FPS = 30.0;

  /** Name of the audio rendition's playlist ({@code audio.m3u8}) and segments. */
  public static final String AUDIO_RENDITION = "audio";

  /** Size of the generated poster of an audio-only source. */
  private static final Dimensions AUDIO_POSTER = new Dimensions(640, 360);

  /** A source that ends this much before its stated length is truncated, not just rounded. */
  private static final double TRUNCATION_TOLERANCE = 0.9;

  static {
    // Java2D must never look for a display on a server.
    System.setProperty("java.awt.headless", "true");
    // FFmpeg's own chatter (stream dumps, warnings) would flood the log for every job.
    av_log_set_level(AV_LOG_ERROR);
  }

  private final TranscodeOptions options;

  public JavaCvTranscoder(TranscodeOptions options) {
    this.options = options;
  }

  /** With the default threads and stall timeout. */
  public JavaCvTranscoder(MediaLimits limits) {
    this(TranscodeOptions.defaults(limits));
  }

  @Override
  public SourceMedia probe(Path source) {
    try {
      options.limits().checkFileSize(Files.size(source));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (MediaInput in = MediaInput.open(source)) {
      return probe(in.context());
    }
  }

  @Override
  public SourceMedia probe(ArrivingFile source) {
    options.limits().checkFileSize(source.size());
    try (MediaInput in = MediaInput.open(source)) {
      return probe(in.context());
    }
  }

  /** What an opened source is (streams found), checked against the limits. */
  private SourceMedia probe(AVFormatContext oc) {
    AVStream video = null;
    AVStream audio = null;
    for (int i = 0; i < oc.nb_streams(); i++) {
      AVStream st = oc.streams(i);
      int type = st.codecpar().codec_type();
      // Cover art in an audio file is a "video" stream of one picture: not a video.
      if (type == AVMEDIA_TYPE_VIDEO
          && video == null
          && (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0) {
        video = st;
      } else if (type == AVMEDIA_TYPE_AUDIO && audio == null) {
        audio = st;
      }
    }
    String format = oc.iformat().name().getString();
    if (audio != null && avcodec_find_decoder(audio.codecpar().codec_id()) == null) {
      if (video == null) {
        throw new MediaRejected(
            FailureReason.UNSUPPORTED_MEDIA, "no decoder for audio codec " + codecName(audio));
      }
      audio = null; // an audio track we cannot decode beside a video is dropped, not fatal
    }
    if (video == null) {
      if (audio == null) {
        throw new MediaRejected(
            FailureReason.NO_VIDEO_STREAM, format + " file without audio or video streams");
      }
      SourceMedia media =
          new SourceMedia(
              format,
              durationSeconds(oc, audio),
              0,
              0,
              null,
              0,
              0,
              false,
              null,
              codecName(audio),
              0,
              false);
      options.limits().check(media);
      return media;
    }
    AVCodecParameters vp = video.codecpar();
    if (avcodec_find_decoder(vp.codec_id()) == null) {
      throw new MediaRejected(
          FailureReason.UNSUPPORTED_MEDIA, "no decoder for video codec " + codecName(video));
    }
    if (vp.width() <= 0 || vp.height() <= 0) {
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, "video stream without a frame size");
    }
    int rotation = clockwiseRotation(vp);
    Dimensions display = displaySize(oc, video, rotation);
    SourceMedia media =
        new SourceMedia(
            format,
            durationSeconds(oc, video),
            vp.width(),
            vp.height(),
            display,
            rotation,
            frameRate(oc, video),
            variableFrameRate(video),
            codecName(video),
            audio == null ? null : codecName(audio),
            videoKbps(oc, video),
            streamCopyable(oc, video, audio, rotation));
    options.limits().check(media);
    return media;
  }

  @Override
  public TranscodeResult transcode(
      Path source, SourceMedia media, Path outputDir, TranscodeListener listener) {
    try {
      Path hlsDir = Files.createDirectories(outputDir.resolve("hls"));
      return media.hasVideo()
          ? transcodeVideo(source, media, outputDir, hlsDir, listener)
          : transcodeAudio(source, media, outputDir, hlsDir, listener);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double fps(SourceMedia media) {
    return media.fps() > 0 && media.fps() <= 1000 ? media.fps() : FALLBACK_FPS;
  }

  /**
   * The video path: one decode feeds every rung's encoder, the poster picker and the storyboard;
   * the audio goes to the audio rendition; the MP4 is remuxed from a rung and the audio at the end.
   */
  private TranscodeResult transcodeVideo(
      Path source, SourceMedia media, Path outputDir, Path hlsDir, TranscodeListener listener)
      throws IOException {
    double fps = fps(media);
    List<Rung> rungs = RenditionLadder.forSource(media.display());
    Dimensions downloadSize = RenditionLadder.outputSize(media.display(), RenditionLadder.DOWNLOAD);
    Path mp4 = outputDir.resolve("download.mp4");
    List<String> levels = new ArrayList<>();
    PosterPicker posterPicker =
        new PosterPicker(downloadSize.width(), downloadSize.height(), media.durationSeconds());
    StoryboardBuilder storyboard = new StoryboardBuilder(media.display(), media.durationSeconds());
    boolean remux = canRemuxDownload(media, downloadSize);
    // The fast path: the top rung (and the audio) copied from the source first, playable in
    // seconds; the other rungs are then encoded with keyframes where the copy's segments start.
    Rung top = rungs.get(0);
    StreamCopyHls.Copied copied =
        StreamCopyHls.copyIfSuitable(
            source, media, top, RenditionLadder.outputSize(media.display(), top), hlsDir, listener);
    // A source good enough to be the top rung is good enough to be the download: remux it too.
    remux = remux || copied != null;
    ForcedKeyframes keyframes =
        copied == null ? ForcedKeyframes.none() : new ForcedKeyframes(copied.keyframeSlots(fps));
    List<Dimensions> outputs = new ArrayList<>();
    for (Rung rung : rungs) {
      outputs.add(RenditionLadder.outputSize(media.display(), rung));
    }
    ThreadBudget threads = ThreadBudget.share(options.threads(), media.display(), outputs);
    int[] decoded = {0};
    ConstantRateFeed feed = new ConstantRateFeed(fps, media.variableFrameRate(), keyframes);
    EncoderFanOut encoders = new EncoderFanOut(options.stallTimeout(), listener::shouldStop);
    try {
      for (int i = 0; i < rungs.size(); i++) {
        Rung rung = rungs.get(i);
        Dimensions size = outputs.get(i);
        String level = H264Level.of(size, fps, rung.maxVideoKbps(), 2 * rung.maxVideoKbps());
        levels.add(level);
        if (copied != null && rung == top) {
          continue;
        }
        FFmpegFrameRecorder r = hlsRecorder(hlsDir, rung.name(), size.width(), size.height(), 0);
        encoders.add(rung.name(), r, true, false);
        configureVideo(
            r, fps, HLS_SEGMENT_SECONDS, rung.maxVideoKbps(), level, threads.encoders().get(i));
        if (copied != null) {
          // Keyframes only where the copy's segments start: the muxer then cuts here as there.
          r.setVideoOption("forced-idr", "1");
          r.setVideoOption("x264-params", "keyint=infinite:min-keyint=1:scenecut=0");
        }
        r.start();
      }
      if (media.hasAudio() && (copied == null || !copied.audioCopied())) {
        FFmpegFrameRecorder a = hlsRecorder(hlsDir, AUDIO_RENDITION, 0, 0, AUDIO_CHANNELS);
        encoders.add(AUDIO_RENDITION, a, false, true);
        configureAudio(a);
        a.start();
      }
      decode(
          source,
          media,
          copied == null ? listener : StreamCopyHls.afterCopy(listener),
          Integer.toString(threads.decoder()),
          (picture, pixelFormat, timestampUs) -> {
            decoded[0]++;
            feed.record(encoders, picture, pixelFormat, timestampUs);
            posterPicker.offer(picture, pixelFormat, timestampUs / 1e6);
            storyboard.offer(picture, pixelFormat, timestampUs / 1e6);
          },
          encoders::samples);
      if (decoded[0] == 0) {
        throw new MediaRejected(
            FailureReason.UNSUPPORTED_MEDIA, "not a single picture could be decoded");
      }
      encoders.finish();
      HlsFolder.completeAsVod(hlsDir);
      if (remux) {
        remux(source, mp4);
      } else {
        // The download is the download rung (or the top one, below it) with the audio rendition:
        // the same H.264 and AAC, so it is remuxed from their segments rather than encoded again.
        FragmentRemuxer.fromHls(
            hlsDir, downloadRung(rungs).name(), media.hasAudio() ? AUDIO_RENDITION : null, mp4);
      }
    } catch (FrameRecorder.Exception e) {
      throw new IllegalStateException("encoding failed: " + e.getMessage(), e);
    } finally {
      encoders.close();
      closeQuietly(posterPicker);
      closeQuietly(storyboard);
    }

    MediaFacts facts = readFacts(mp4);
    long size = Files.size(mp4);
    List<HlsRung> written = new ArrayList<>();
    for (int i = 0; i < rungs.size(); i++) {
      Rung rung = rungs.get(i);
      PlaylistStats stats = readPlaylist(hlsDir, rung.name());
      written.add(
          new HlsRung(
              rung,
              stats.playlist(),
              stats.facts().size(),
              stats.peakBps(),
              stats.averageBps(),
              stats.facts().codecs(),
              stats.bytes(),
              levels.get(i)));
    }
    HlsAudio audio = media.hasAudio() ? readAudio(hlsDir) : null;
    Path master = writeMaster(hlsDir, written, audio, fps);
    Path poster = outputDir.resolve("poster.jpg");
    Jpeg.write(posterPicker.best(), poster);
    TranscodeResult.Storyboard board =
        storyboard.write(
            outputDir.resolve("storyboard.jpg"),
            outputDir.resolve("storyboard.vtt"),
            "storyboard.jpg",
            facts.durationSeconds());
    return new TranscodeResult(
        new OutputFile(mp4, facts.size(), size, kbps(size, facts), facts.codecs()),
        new OutputFile(poster, downloadSize, Files.size(poster), null, null),
        board,
        facts.durationSeconds(),
        new HlsOutput(hlsDir, master, List.copyOf(written), audio),
        remux);
  }

  /**
   * The rung whose segments make the MP4 download: {@link RenditionLadder#DOWNLOAD}'s, else the
   * top.
   */
  static Rung downloadRung(List<Rung> rungs) {
    return rungs.stream()
        .filter(r -> r.name().equals(RenditionLadder.DOWNLOAD.name()))
        .findFirst()
        .orElse(rungs.get(0));
  }

  /** The audio-only path: an audio HLS rendition, an M4A and a waveform poster. */
  private TranscodeResult transcodeAudio(
      Path source, SourceMedia media, Path outputDir, Path hlsDir, TranscodeListener listener)
      throws IOException {
    Path m4a = outputDir.resolve("download.m4a");
    List<FFmpegFrameRecorder> sound = new ArrayList<>();
    Waveform waveform = new Waveform();
    try {
      FFmpegFrameRecorder hls = hlsRecorder(hlsDir, AUDIO_RENDITION, 0, 0, AUDIO_CHANNELS);
      sound.add(hls);
      configureAudio(hls);
      hls.start();
      FFmpegFrameRecorder file = new FFmpegFrameRecorder(m4a.toFile(), AUDIO_CHANNELS);
      sound.add(file);
      file.setFormat("mp4");
      file.setOption("movflags", "+faststart");
      configureAudio(file);
      file.start();
      decode(
          source,
          media,
          listener,
          options.threadsOption(),
          (picture, pixelFormat, timestampUs) -> {},
          samples -> {
            waveform.offer(samples);
            recordSamples(sound, samples);
          });
      for (FFmpegFrameRecorder r : sound) {
        r.stop();
      }
      HlsFolder.completeAsVod(hlsDir);
    } catch (FrameRecorder.Exception e) {
      throw new IllegalStateException("encoding failed: " + e.getMessage(), e);
    } finally {
      release(sound);
    }
    MediaFacts facts = readFacts(m4a);
    long size = Files.size(m4a);
    HlsAudio audio = readAudio(hlsDir);
    Path master = writeMaster(hlsDir, List.of(), audio, 0);
    Path poster = outputDir.resolve("poster.jpg");
    Jpeg.write(waveform.render(AUDIO_POSTER.width(), AUDIO_POSTER.height()), poster);
    return new TranscodeResult(
        new OutputFile(m4a, null, size, kbps(size, facts), facts.codecs()),
        new OutputFile(poster, AUDIO_POSTER, Files.size(poster), null, null),
        null,
        facts.durationSeconds(),
        new HlsOutput(hlsDir, master, List.of(), audio),
        false);
  }

  /**
   * The MP4 download can be the source's own packets when they already are what the encoder would
   * make: stream-copyable H.264/AAC at exactly the download's size, within its bitrate cap and at
   * most 60 fps.
   */
  static boolean canRemuxDownload(SourceMedia media, Dimensions downloadSize) {
    return media.streamCopyable()
        && media.display().equals(downloadSize)
        && media.videoKbps() > 0
        && media.videoKbps() <= RenditionLadder.DOWNLOAD.maxVideoKbps()
        && media.fps() > 0
        && media.fps() <= 60;
  }

  /** Copies the source's H.264 and AAC packets into a fast-start MP4, decoding nothing. */
  private static void remux(Path source, Path mp4) throws FrameRecorder.Exception {
    try (FFmpegFrameGrabber in = new FFmpegFrameGrabber(source.toFile())) {
      startGrabber(in);
      FFmpegFrameRecorder out =
          new FFmpegFrameRecorder(
              mp4.toFile(), in.getImageWidth(), in.getImageHeight(), in.getAudioChannels());
      try {
        out.setFormat("mp4");
        out.setOption("movflags", "+faststart");
        out.setVideoCodec(in.getVideoCodec());
        out.setAudioCodec(in.getAudioCodec());
        out.setFrameRate(in.getFrameRate());
        out.setSampleRate(in.getSampleRate());
        out.start(in.getFormatContext());
        AVPacket packet;
        while ((packet = in.grabPacket()) != null) {
          out.recordPacket(packet);
        }
        out.stop();
      } finally {
        out.release();
      }
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
    }
  }

  private static Integer kbps(long bytes, MediaFacts facts) {
    return facts.durationSeconds() > 0
        ? (int) Math.round(bytes * 8 / facts.durationSeconds() / 1000)
        : 0;
  }

  /** Where decoded pictures go: YUV 4:2:0, upright, at the source's (rotated) size. */
  @FunctionalInterface
  private interface PictureSink {
    void accept(Frame picture, int pixelFormat, long timestampUs)
        throws FrameRecorder.Exception, FrameFilter.Exception;
  }

  /** Where decoded audio goes. */
  @FunctionalInterface
  private interface SampleSink {
    void accept(Frame samples) throws FrameRecorder.Exception;
  }

  /**
   * Decodes the source once, front to back, handing every picture and every audio frame on; checks
   * for a stop request and a stall on every frame, and the duration limit for sources that did not
   * state their length.
   */
  private void decode(
      Path source,
      SourceMedia media,
      TranscodeListener listener,
      String threads,
      PictureSink pictures,
      SampleSink samples)
      throws FrameRecorder.Exception {
    double fps = fps(media);
    StallWatch stall = new StallWatch(options.stallTimeout(), System::nanoTime);
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile())) {
      grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
      grabber.setVideoOption("threads", threads);
      startGrabber(grabber);
      long startUs = grabber.getFormatContext().start_time();
      if (startUs == AV_NOPTS_VALUE) {
        startUs = 0;
      }
      try (FFmpegFrameFilter turn = media.hasVideo() ? rotationFilter(media, fps) : null) {
        double durationUs = media.durationSeconds() * 1_000_000;
        long furthestUs = 0;
        Frame frame;
        while ((frame = grabFrame(grabber)) != null) {
          stall.check();
          if (listener.shouldStop()) {
            throw new TranscodeStopped("transcode stopped on request");
          }
          long ts = Math.max(0, frame.timestamp - startUs);
          if (frame.image != null && media.hasVideo()) {
            if (turn == null) {
              pictures.accept(frame, AV_PIX_FMT_YUV420P, ts);
            } else {
              turn.push(frame, AV_PIX_FMT_YUV420P);
              Frame turned;
              while ((turned = turn.pullImage()) != null) {
                pictures.accept(turned, turn.getPixelFormat(), ts);
              }
            }
          } else if (frame.samples != null && media.hasAudio()) {
            samples.accept(frame);
          } else {
            continue;
          }
          furthestUs = Math.max(furthestUs, ts);
          stall.advanced(ts);
          if (durationUs > 0) {
            listener.progress(Math.min(1.0, furthestUs / durationUs));
          } else {
            options.limits().checkDuration(furthestUs / 1e6);
          }
        }
        checkComplete(media, furthestUs / 1e6);
      }
      listener.progress(1.0);
    } catch (FrameFilter.Exception e) {
      throw new IllegalStateException("filtering failed: " + e.getMessage(), e);
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
    }
  }

  /** A source whose media ends well before the length its container states was cut off. */
  private static void checkComplete(SourceMedia media, double reachedSeconds) {
    double stated = media.durationSeconds();
    if (stated > 2 && reachedSeconds < stated * TRUNCATION_TOLERANCE - 1) {
      throw new MediaRejected(
          FailureReason.SOURCE_TRUNCATED,
          "its media ends at %s of the %s it states"
              .formatted(
                  MediaLimits.readable(java.time.Duration.ofMillis((long) (reachedSeconds * 1000))),
                  MediaLimits.readable(java.time.Duration.ofMillis((long) (stated * 1000)))));
    }
  }

  /**
   * An HLS muxer for one rendition: fMP4 segments of {@link #HLS_SEGMENT_SECONDS} beside their
   * media playlist ({@code 480p.m3u8}, {@code 480p_init.mp4}, {@code 480p_000.m4s}...). Width 0
   * makes it audio only, audio channels 0 video only.
   */
  static FFmpegFrameRecorder hlsRecorder(
      Path hlsDir, String name, int width, int height, int audioChannels) {
    FFmpegFrameRecorder r =
        new FFmpegFrameRecorder(
            hlsDir.resolve(name + ".m3u8").toFile(), width, height, audioChannels);
    r.setFormat("hls");
    r.setOption("hls_time", Integer.toString((int) HLS_SEGMENT_SECONDS));
    // EVENT while writing: a VOD playlist is only written at the end, an EVENT one after every
    // segment (for progressive publishing); completeAsVod marks it VOD once it has its end.
    r.setOption("hls_playlist_type", "event");
    r.setOption("hls_segment_type", "fmp4");
    r.setOption("hls_fmp4_init_filename", name + "_init.mp4");
    r.setOption("hls_segment_filename", hlsDir.resolve(name + "_%03d.m4s").toString());
    // temp_file: segments and playlists appear under their names only once complete, so the job
    // can publish them while the muxer goes on.
    r.setOption("hls_flags", "independent_segments+temp_file");
    return r;
  }

  /**
   * H.264 High yuv420p at {@code level}, CRF 23 under the cap, a fixed GOP of {@code gopSeconds}
   * without scene-cut keyframes (so every rung cuts its segments on the same frames).
   */
  private static void configureVideo(
      FFmpegFrameRecorder recorder,
      double fps,
      double gopSeconds,
      int maxKbps,
      String level,
      int threads) {
    int gop = Math.max(1, (int) Math.round(fps * gopSeconds));
    configureH264(recorder, fps, gop, maxKbps, level, Integer.toString(threads));
  }

  /**
   * The encoder settings of every picture Capstan encodes, shared with {@link ChunkEncoder} so a
   * chunk's rungs match a single job's: H.264 High yuv420p, veryfast, CRF 23 under {@code maxKbps}
   * (bufsize twice that), a fixed GOP of {@code gop} pictures without scene cuts.
   */
  static void configureH264(
      FFmpegFrameRecorder recorder,
      double fps,
      int gop,
      int maxKbps,
      String level,
      String threads) {
    recorder.setVideoCodecName("libx264");
    recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
    recorder.setImageScalingFlags(SWS_BICUBIC);
    recorder.setFrameRate(fps);
    recorder.setGopSize(gop);
    recorder.setVideoBitrate(0);
    recorder.setVideoOption("threads", threads);
    recorder.setVideoOption("preset", "veryfast");
    recorder.setVideoOption("crf", "23");
    recorder.setVideoOption("profile", "high");
    recorder.setVideoOption("level", level);
    recorder.setVideoOption("maxrate", maxKbps + "k");
    recorder.setVideoOption("bufsize", (2 * maxKbps) + "k");
    recorder.setVideoOption(
        "x264-params", "keyint=%d:min-keyint=%d:scenecut=0".formatted(gop, gop));
  }

  /** AAC-LC stereo 48 kHz (also {@link ChunkEncoder}'s). */
  static void configureAudio(FFmpegFrameRecorder recorder) {
    recorder.setAudioCodec(AV_CODEC_ID_AAC);
    recorder.setAudioBitrate(AUDIO_BITRATE);
    recorder.setSampleRate(AUDIO_SAMPLE_RATE);
    recorder.setAudioChannels(AUDIO_CHANNELS);
  }

  private static void recordSamples(List<FFmpegFrameRecorder> recorders, Frame frame)
      throws FrameRecorder.Exception {
    // A recorder consumes the sample buffers (advances their positions): rewind for the next.
    Buffer[] samples = frame.samples;
    int[] positions = new int[samples.length];
    for (int i = 0; i < samples.length; i++) {
      positions[i] = samples[i].position();
    }
    for (FFmpegFrameRecorder r : recorders) {
      for (int i = 0; i < samples.length; i++) {
        samples[i].position(positions[i]);
      }
      r.record(frame);
    }
  }

  private record PlaylistStats(
      Path playlist, MediaFacts facts, long peakBps, long averageBps, long bytes) {}

  /** Reads back a media playlist: segment bitrates, total size, and its init segment's facts. */
  private static PlaylistStats readPlaylist(Path hlsDir, String name) throws IOException {
    Path playlist = hlsDir.resolve(name + ".m3u8");
    Path init = hlsDir.resolve(name + "_init.mp4");
    long bytes = Files.size(init);
    long segmentBytes = 0;
    double seconds = 0;
    double peak = 0;
    double extinf = -1;
    for (String line : Files.readAllLines(playlist, StandardCharsets.UTF_8)) {
      if (line.startsWith("#EXTINF:")) {
        extinf = Double.parseDouble(line.substring(8, line.indexOf(',')));
      } else if (!line.isBlank() && !line.startsWith("#") && extinf >= 0) {
        long size = Files.size(hlsDir.resolve(line.trim()));
        segmentBytes += size;
        seconds += extinf;
        if (extinf > 0) {
          peak = Math.max(peak, size * 8 / extinf);
        }
        extinf = -1;
      }
    }
    bytes += segmentBytes;
    long average = seconds > 0 ? Math.round(segmentBytes * 8 / seconds) : 0;
    return new PlaylistStats(playlist, readFacts(init), Math.round(peak), average, bytes);
  }

  private static HlsAudio readAudio(Path hlsDir) throws IOException {
    PlaylistStats s = readPlaylist(hlsDir, AUDIO_RENDITION);
    return new HlsAudio(
        s.playlist(),
        s.peakBps(),
        s.averageBps(),
        s.facts().codecs(),
        s.bytes(),
        s.facts().audioChannels());
  }

  /**
   * The master playlist: one variant per rung, largest first, each playing with the one audio
   * rendition (an {@code EXT-X-MEDIA} group); for an audio-only source, one audio variant.
   */
  private static Path writeMaster(Path hlsDir, List<HlsRung> rungs, HlsAudio audio, double fps)
      throws IOException {
    StringBuilder m3u8 =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    if (rungs.isEmpty()) {
      m3u8.append(
              "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,CODECS=\"%s\"\n"
                  .formatted(
                      Math.max(1, audio.peakBitrateBps()),
                      Math.max(1, audio.averageBitrateBps()),
                      audio.codecs()))
          .append(audio.playlist().getFileName())
          .append('\n');
    } else {
      if (audio != null) {
        m3u8.append(
            ("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",NAME=\"Audio\",DEFAULT=YES,"
                    + "AUTOSELECT=YES,CHANNELS=\"%d\",URI=\"%s\"\n")
                .formatted(audio.channels(), audio.playlist().getFileName()));
      }
      long audioPeak = audio == null ? 0 : audio.peakBitrateBps();
      long audioAverage = audio == null ? 0 : audio.averageBitrateBps();
      for (HlsRung r : rungs) {
        m3u8.append(
                "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%s,CODECS=\"%s\",FRAME-RATE=%.3f%s\n"
                    .formatted(
                        Math.max(1, r.peakBitrateBps() + audioPeak),
                        Math.max(1, r.averageBitrateBps() + audioAverage),
                        r.size(),
                        audio == null ? r.codecs() : r.codecs() + "," + audio.codecs(),
                        fps,
                        audio == null ? "" : ",AUDIO=\"audio\""))
            .append(r.playlist().getFileName())
            .append('\n');
      }
    }
    Path master = hlsDir.resolve("master.m3u8");
    Files.writeString(master, m3u8, StandardCharsets.UTF_8);
    return master;
  }

  private static void release(List<FFmpegFrameRecorder> recorders) {
    for (FFmpegFrameRecorder r : recorders) {
      try {
        r.release();
      } catch (FrameRecorder.Exception e) {
        // Already failing or done; nothing more to free.
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Already failing or done; nothing more to free.
    }
  }

  private static void startGrabber(FFmpegFrameGrabber grabber) {
    try {
      grabber.start();
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, e.getMessage());
    }
  }

  private static Frame grabFrame(FFmpegFrameGrabber grabber) {
    try {
      return grabber.grab();
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
    }
  }

  /** A transpose/flip filter for rotated sources, so every player shows them upright. */
  private static FFmpegFrameFilter rotationFilter(SourceMedia media, double fps)
      throws FrameFilter.Exception {
    String chain =
        switch (media.rotationDegrees()) {
          case 90 -> "transpose=clock";
          case 180 -> "hflip,vflip";
          case 270 -> "transpose=cclock";
          default -> null;
        };
    if (chain == null) {
      return null;
    }
    FFmpegFrameFilter filter =
        new FFmpegFrameFilter(chain, media.codedWidth(), media.codedHeight());
    filter.setPixelFormat(AV_PIX_FMT_YUV420P);
    filter.setFrameRate(fps);
    filter.start();
    return filter;
  }

  /**
   * @param audioChannels of the first audio stream, 0 without one
   */
  record MediaFacts(Dimensions size, double durationSeconds, String codecs, int audioChannels) {}

  /**
   * Reads back an MP4 (or fMP4 init segment) as written: its picture size (null without video),
   * duration and RFC 6381 codec string.
   */
  static MediaFacts readFacts(Path mp4) {
    AVFormatContext oc = new AVFormatContext(null);
    int ret = avformat_open_input(oc, mp4.toString(), null, null);
    if (ret < 0) {
      throw new IllegalStateException("cannot read back " + mp4 + ": " + ffmpegError(ret));
    }
    try {
      avformat_find_stream_info(oc, (PointerPointer<?>) null);
      Dimensions size = null;
      AVStream video = null;
      StringBuilder codecs = new StringBuilder();
      int channels = 0;
      for (int i = 0; i < oc.nb_streams(); i++) {
        AVStream st = oc.streams(i);
        AVCodecParameters p = st.codecpar();
        if (p.codec_type() == AVMEDIA_TYPE_VIDEO && size == null) {
          video = st;
          size = new Dimensions(p.width(), p.height());
          codecs.insert(0, avcCodecString(p));
        } else if (p.codec_type() == AVMEDIA_TYPE_AUDIO) {
          // AAC object type = profile + 1: LC is mp4a.40.2.
          codecs.append(",mp4a.40.").append(p.profile() >= 0 ? p.profile() + 1 : 2);
          if (channels == 0) {
            channels = p.ch_layout().nb_channels();
          }
        }
      }
      if (codecs.isEmpty()) {
        throw new IllegalStateException(mp4 + " as written has no stream");
      }
      if (size == null) {
        codecs.deleteCharAt(0); // audio only: no leading video codec before the comma
      }
      return new MediaFacts(size, durationSeconds(oc, video), codecs.toString(), channels);
    } finally {
      avformat_close_input(oc);
    }
  }

  /** avc1.PPCCLL from the avcC record (profile, constraint flags, level), as HLS and MSE want. */
  private static String avcCodecString(AVCodecParameters p) {
    BytePointer extradata = p.extradata();
    if (extradata != null && p.extradata_size() >= 4 && extradata.get(0) == 1) {
      byte[] head = new byte[3];
      extradata.position(1).get(head);
      extradata.position(0);
      return "avc1." + HexFormat.of().formatHex(head);
    }
    return "avc1.%02x00%02x".formatted(p.profile(), p.level());
  }

  private static double durationSeconds(AVFormatContext oc, AVStream video) {
    if (oc.duration() != AV_NOPTS_VALUE && oc.duration() > 0) {
      return oc.duration() / 1_000_000.0;
    }
    if (video != null && video.duration() != AV_NOPTS_VALUE && video.duration() > 0) {
      return video.duration() * av_q2d(video.time_base());
    }
    return 0;
  }

  private static double frameRate(AVFormatContext oc, AVStream video) {
    AVRational r = av_guess_frame_rate(oc, video, null);
    return r.num() > 0 && r.den() > 0 ? av_q2d(r) : 0;
  }

  private static long videoKbps(AVFormatContext oc, AVStream video) {
    long bps = video.codecpar().bit_rate() > 0 ? video.codecpar().bit_rate() : oc.bit_rate();
    return Math.max(0, bps / 1000);
  }

  /**
   * H.264 Baseline/Main/High in yuv420p 8-bit, square pixels, upright, and besides it nothing but
   * at most one AAC-LC track (no second audio, subtitles or data tracks a copy would drop or choke
   * on).
   */
  private static boolean streamCopyable(
      AVFormatContext oc, AVStream video, AVStream audio, int rotation) {
    AVCodecParameters vp = video.codecpar();
    boolean h264 =
        vp.codec_id() == AV_CODEC_ID_H264
            && vp.format() == AV_PIX_FMT_YUV420P
            && (vp.profile() == AV_PROFILE_H264_BASELINE
                || vp.profile() == AV_PROFILE_H264_CONSTRAINED_BASELINE
                || vp.profile() == AV_PROFILE_H264_MAIN
                || vp.profile() == AV_PROFILE_H264_HIGH);
    AVRational sar = vp.sample_aspect_ratio();
    boolean square = sar.num() == 0 || sar.num() == sar.den();
    boolean aac =
        audio == null
            || (audio.codecpar().codec_id() == AV_CODEC_ID_AAC
                && audio.codecpar().profile() == AV_PROFILE_AAC_LOW);
    int streams = oc.nb_streams();
    return h264 && square && rotation == 0 && aac && streams == (audio == null ? 1 : 2);
  }

  /**
   * Whether frames come at an uneven rate: the average rate differs from the stream's base rate, or
   * the container does not say (WebM from a browser's MediaRecorder).
   */
  private static boolean variableFrameRate(AVStream video) {
    AVRational avg = video.avg_frame_rate();
    AVRational base = video.r_frame_rate();
    if (avg.num() <= 0 || avg.den() <= 0 || base.num() <= 0 || base.den() <= 0) {
      return true;
    }
    double a = av_q2d(avg);
    double b = av_q2d(base);
    return Math.abs(a - b) > b * 0.001;
  }

  /** Display size: non-square pixels made square, then the rotation applied. */
  private static Dimensions displaySize(AVFormatContext oc, AVStream video, int rotation) {
    AVCodecParameters p = video.codecpar();
    AVRational sar = av_guess_sample_aspect_ratio(oc, video, null);
    double aspect = sar.num() > 0 && sar.den() > 0 ? av_q2d(sar) : 1.0;
    int w = (int) Math.max(1, Math.round(p.width() * aspect));
    int h = p.height();
    return rotation == 90 || rotation == 270 ? new Dimensions(h, w) : new Dimensions(w, h);
  }

  /**
   * Clockwise rotation a player applies, from the display matrix; anything but a multiple of 90
   * degrees (or a mirrored matrix) is not "simple" and is ignored.
   */
  private static int clockwiseRotation(AVCodecParameters p) {
    AVPacketSideData sd =
        av_packet_side_data_get(
            p.coded_side_data(), p.nb_coded_side_data(), AV_PKT_DATA_DISPLAYMATRIX);
    if (sd == null || sd.isNull() || sd.size() < 36) {
      return 0;
    }
    double ccw = av_display_rotation_get(new IntPointer(sd.data()));
    if (Double.isNaN(ccw)) {
      return 0;
    }
    long cw = Math.floorMod(Math.round(-ccw), 360);
    long quarter = Math.round(cw / 90.0) * 90 % 360;
    return Math.abs(cw - quarter) <= 1 || Math.abs(cw - quarter) >= 359 ? (int) quarter : 0;
  }

  private static String codecName(AVStream st) {
    return avcodec_get_name(st.codecpar().codec_id()).getString(StandardCharsets.UTF_8);
  }

  static String ffmpegError(int code) {
    byte[] buf = new byte[256];
    av_strerror(code, buf, buf.length);
    int len = 0;
    while (len < buf.length && buf[len] != 0) {
      len++;
    }
    return len == 0 ? "FFmpeg error " + code : new String(buf, 0, len, StandardCharsets.UTF_8);
  }
}
