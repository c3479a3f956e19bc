package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_DATA_DISPLAYMATRIX;
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
import dev.capstan.worker.transcode.TranscodeResult.HlsOutput;
import dev.capstan.worker.transcode.TranscodeResult.HlsRung;
import dev.capstan.worker.transcode.TranscodeResult.OutputFile;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.Buffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
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
import org.bytedeco.javacv.Java2DFrameConverter;

/**
 * {@link Transcoder} on FFmpeg through JavaCV: probes with libavformat directly (for FFmpeg's own
 * error text), decodes once to YUV 4:2:0 at the source's size and feeds every frame to one HLS
 * encoder per rung of the ladder (fMP4 segments, keyframes aligned across rungs) and to the
 * fast-start MP4 download, each scaling bicubically to its own size; then writes the master
 * playlist and takes the poster from the MP4.
 */
public final class JavaCvTranscoder implements Transcoder {
  private static final int AUDIO_BITRATE = 128_000;
  private static final int AUDIO_SAMPLE_RATE = 48_000;
  private static final int AUDIO_CHANNELS = 2;
  private static final double GOP_SECONDS = 2.0;
  private static final double HLS_SEGMENT_SECONDS = 4.0;
  private static final double FALLBACK_FPS = 30.0;
  private static final float POSTER_QUALITY = 0.85f;

  static {
    // Java2D must never look for a display on a server.
    System.setProperty("java.awt.headless", "true");
    // FFmpeg's own chatter (stream dumps, warnings) would flood the log for every job.
    av_log_set_level(AV_LOG_ERROR);
  }

  private final MediaLimits limits;

  public JavaCvTranscoder(MediaLimits limits) {
    this.limits = limits;
  }

  @Override
  public SourceMedia probe(Path source) {
    AVFormatContext oc = new AVFormatContext(null);
    int ret = avformat_open_input(oc, source.toString(), null, null);
    if (ret < 0) {
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, ffmpegError(ret));
    }
    try {
      ret = avformat_find_stream_info(oc, (PointerPointer<?>) null);
      if (ret < 0) {
        throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, ffmpegError(ret));
      }
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
      if (video == null) {
        throw new MediaRejected(
            FailureReason.NO_VIDEO_STREAM,
            audio == null
                ? format + " file without audio or video streams"
                : "only audio (" + codecName(audio) + ")");
      }
      AVCodecParameters vp = video.codecpar();
      if (avcodec_find_decoder(vp.codec_id()) == null) {
        throw new MediaRejected(
            FailureReason.UNSUPPORTED_MEDIA, "no decoder for video codec " + codecName(video));
      }
      if (vp.width() <= 0 || vp.height() <= 0) {
        throw new MediaRejected(
            FailureReason.UNSUPPORTED_MEDIA, "video stream without a frame size");
      }
      if (audio != null && avcodec_find_decoder(audio.codecpar().codec_id()) == null) {
        audio = null; // an audio track we cannot decode is dropped, not fatal
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
              codecName(video),
              audio == null ? null : codecName(audio));
      limits.check(media);
      return media;
    } finally {
      avformat_close_input(oc);
    }
  }

  @Override
  public TranscodeResult transcode(
      Path source, SourceMedia media, Path outputDir, TranscodeListener listener) {
    Dimensions downloadSize = RenditionLadder.outputSize(media.display(), RenditionLadder.DOWNLOAD);
    List<Rung> rungs = RenditionLadder.forSource(media.display());
    Path mp4 = outputDir.resolve("download.mp4");
    Path poster = outputDir.resolve("poster.jpg");
    Path hlsDir = outputDir.resolve("hls");
    try {
      Files.createDirectories(hlsDir);
      encode(source, media, rungs, hlsDir, downloadSize, mp4, listener);
      MediaFacts facts = readFacts(mp4);
      long size = Files.size(mp4);
      int kbps =
          facts.durationSeconds() > 0
              ? (int) Math.round(size * 8 / facts.durationSeconds() / 1000)
              : 0;
      List<HlsRung> written = new ArrayList<>();
      for (Rung rung : rungs) {
        written.add(readRung(hlsDir, rung));
      }
      Path master = writeMaster(hlsDir, written, fps(media));
      writePoster(mp4, facts.durationSeconds(), poster);
      return new TranscodeResult(
          new OutputFile(mp4, facts.size(), size, kbps, facts.codecs()),
          new OutputFile(poster, downloadSize, Files.size(poster), null, null),
          facts.durationSeconds(),
          new HlsOutput(hlsDir, master, List.copyOf(written)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double fps(SourceMedia media) {
    return media.fps() > 0 && media.fps() <= 1000 ? media.fps() : FALLBACK_FPS;
  }

  /**
   * Decodes the source once, at its own size, and feeds every frame to every encoder: one HLS
   * recorder per rung and the MP4 download. Each recorder scales (bicubic) to its own size.
   */
  private void encode(
      Path source,
      SourceMedia media,
      List<Rung> rungs,
      Path hlsDir,
      Dimensions downloadSize,
      Path mp4,
      TranscodeListener listener)
      throws IOException {
    double fps = fps(media);
    List<FFmpegFrameRecorder> recorders = new ArrayList<>();
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile())) {
      grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
      grabber.setVideoOption("threads", "auto");
      startGrabber(grabber);
      long startUs = grabber.getFormatContext().start_time();
      if (startUs == AV_NOPTS_VALUE) {
        startUs = 0;
      }

      for (Rung rung : rungs) {
        recorders.add(
            startRecorder(
                hlsRecorder(hlsDir, rung, RenditionLadder.outputSize(media.display(), rung), media),
                fps,
                HLS_SEGMENT_SECONDS,
                rung.maxVideoKbps(),
                media));
      }
      FFmpegFrameRecorder download =
          new FFmpegFrameRecorder(
              mp4.toFile(),
              downloadSize.width(),
              downloadSize.height(),
              media.hasAudio() ? AUDIO_CHANNELS : 0);
      download.setFormat("mp4");
      download.setOption("movflags", "+faststart");
      recorders.add(
          startRecorder(
              download, fps, GOP_SECONDS, RenditionLadder.DOWNLOAD.maxVideoKbps(), media));

      try (FFmpegFrameFilter turn =
          rotationFilter(media, new Dimensions(media.codedWidth(), media.codedHeight()), fps)) {
        double durationUs = media.durationSeconds() * 1_000_000;
        Frame frame;
        while ((frame = grabFrame(grabber)) != null) {
          if (listener.shouldStop()) {
            throw new TranscodeStopped("transcode stopped on request");
          }
          if (frame.image != null) {
            long ts = Math.max(0, frame.timestamp - startUs);
            if (turn == null) {
              recordImage(recorders, frame, AV_PIX_FMT_YUV420P, ts);
            } else {
              turn.push(frame, AV_PIX_FMT_YUV420P);
              Frame turned;
              while ((turned = turn.pullImage()) != null) {
                recordImage(recorders, turned, turn.getPixelFormat(), ts);
              }
            }
            if (durationUs > 0) {
              listener.progress(Math.min(1.0, ts / durationUs));
            }
          } else if (frame.samples != null && media.hasAudio()) {
            recordSamples(recorders, frame);
          }
        }
      }
      for (FFmpegFrameRecorder r : recorders) {
        r.stop();
      }
      listener.progress(1.0);
    } catch (FrameFilter.Exception | FrameRecorder.Exception e) {
      throw new IllegalStateException("encoding failed: " + e.getMessage(), e);
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
    } finally {
      for (FFmpegFrameRecorder r : recorders) {
        try {
          r.release();
        } catch (FrameRecorder.Exception e) {
          // Already failing or done; nothing more to free.
        }
      }
    }
  }

  /**
   * An HLS muxer for one rung: fMP4 segments of {@link #HLS_SEGMENT_SECONDS} beside their media
   * playlist ({@code 480p.m3u8}, {@code 480p_init.mp4}, {@code 480p_000.m4s}...).
   */
  private static FFmpegFrameRecorder hlsRecorder(
      Path hlsDir, Rung rung, Dimensions size, SourceMedia media) {
    FFmpegFrameRecorder r =
        new FFmpegFrameRecorder(
            hlsDir.resolve(rung.name() + ".m3u8").toFile(),
            size.width(),
            size.height(),
            media.hasAudio() ? AUDIO_CHANNELS : 0);
    r.setFormat("hls");
    r.setOption("hls_time", Integer.toString((int) HLS_SEGMENT_SECONDS));
    r.setOption("hls_playlist_type", "vod");
    r.setOption("hls_segment_type", "fmp4");
    r.setOption("hls_fmp4_init_filename", rung.name() + "_init.mp4");
    r.setOption("hls_segment_filename", hlsDir.resolve(rung.name() + "_%03d.m4s").toString());
    r.setOption("hls_flags", "independent_segments");
    return r;
  }

  /**
   * H.264 High yuv420p, CRF 23 under the rung's cap, a fixed GOP of {@code gopSeconds} without
   * scene-cut keyframes (so every rung cuts its segments on the same frames), AAC-LC stereo.
   */
  private static FFmpegFrameRecorder startRecorder(
      FFmpegFrameRecorder recorder, double fps, double gopSeconds, int maxKbps, SourceMedia media)
      throws FrameRecorder.Exception {
    int gop = Math.max(1, (int) Math.round(fps * gopSeconds));
    recorder.setVideoCodecName("libx264");
    recorder.setPixelFormat(AV_PIX_FMT_YUV420P);
    recorder.setImageScalingFlags(SWS_BICUBIC);
    recorder.setFrameRate(fps);
    recorder.setGopSize(gop);
    recorder.setVideoBitrate(0);
    recorder.setVideoOption("preset", "veryfast");
    recorder.setVideoOption("crf", "23");
    recorder.setVideoOption("profile", "high");
    recorder.setVideoOption("maxrate", maxKbps + "k");
    recorder.setVideoOption("bufsize", (2 * maxKbps) + "k");
    recorder.setVideoOption(
        "x264-params", "keyint=%d:min-keyint=%d:scenecut=0".formatted(gop, gop));
    if (media.hasAudio()) {
      recorder.setAudioCodec(AV_CODEC_ID_AAC);
      recorder.setAudioBitrate(AUDIO_BITRATE);
      recorder.setSampleRate(AUDIO_SAMPLE_RATE);
      recorder.setAudioChannels(AUDIO_CHANNELS);
    }
    recorder.start();
    return recorder;
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

  /** Reads back a rung's media playlist: segment bitrates, total size and codec string. */
  private static HlsRung readRung(Path hlsDir, Rung rung) throws IOException {
    Path playlist = hlsDir.resolve(rung.name() + ".m3u8");
    Path init = hlsDir.resolve(rung.name() + "_init.mp4");
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
    MediaFacts facts = readFacts(init);
    long average = seconds > 0 ? Math.round(segmentBytes * 8 / seconds) : 0;
    return new HlsRung(
        rung, playlist, facts.size(), Math.round(peak), average, facts.codecs(), bytes);
  }

  /** The master playlist: one variant per rung, largest first. */
  private static Path writeMaster(Path hlsDir, List<HlsRung> rungs, double fps) throws IOException {
    StringBuilder m3u8 =
        new StringBuilder("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n");
    for (HlsRung r : rungs) {
      m3u8.append(
              "#EXT-X-STREAM-INF:BANDWIDTH=%d,AVERAGE-BANDWIDTH=%d,RESOLUTION=%s,CODECS=\"%s\",FRAME-RATE=%.3f\n"
                  .formatted(
                      Math.max(1, r.peakBitrateBps()),
                      Math.max(1, r.averageBitrateBps()),
                      r.size(),
                      r.codecs(),
                      fps))
          .append(r.playlist().getFileName())
          .append('\n');
    }
    Path master = hlsDir.resolve("master.m3u8");
    Files.writeString(master, m3u8, StandardCharsets.UTF_8);
    return master;
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

  private static void recordImage(
      List<FFmpegFrameRecorder> recorders, Frame frame, int pixelFormat, long timestampUs)
      throws FrameRecorder.Exception {
    for (FFmpegFrameRecorder recorder : recorders) {
      // Holes in the source's timing (dropped frames) stay holes; duplicates get the next slot.
      if (timestampUs > recorder.getTimestamp()) {
        recorder.setTimestamp(timestampUs);
      }
      recorder.record(frame, pixelFormat);
    }
  }

  /** A transpose/flip filter for rotated sources, so every player shows them upright. */
  private static FFmpegFrameFilter rotationFilter(SourceMedia media, Dimensions scaled, double fps)
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
    FFmpegFrameFilter filter = new FFmpegFrameFilter(chain, scaled.width(), scaled.height());
    filter.setPixelFormat(AV_PIX_FMT_YUV420P);
    filter.setFrameRate(fps);
    filter.start();
    return filter;
  }

  private record MediaFacts(Dimensions size, double durationSeconds, String codecs) {}

  /** Reads back the MP4 as written: its real size, duration and RFC 6381 codec string. */
  private static MediaFacts readFacts(Path mp4) {
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
        }
      }
      if (size == null) {
        throw new IllegalStateException("the MP4 written has no video stream");
      }
      return new MediaFacts(size, durationSeconds(oc, video), codecs.toString());
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

  /** A JPEG of the frame at min(1 s, a third of the video): past fade-ins, inside short clips. */
  private static void writePoster(Path mp4, double durationSeconds, Path poster)
      throws IOException {
    long atUs = (long) (Math.min(1.0, durationSeconds / 3) * 1_000_000);
    BufferedImage image;
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile());
        Java2DFrameConverter converter = new Java2DFrameConverter()) {
      grabber.start();
      grabber.setTimestamp(atUs);
      Frame frame = grabber.grabImage();
      if (frame == null) {
        grabber.restart();
        frame = grabber.grabImage();
      }
      if (frame == null) {
        throw new IllegalStateException("the MP4 written has no picture for a poster");
      }
      image = converter.getBufferedImage(frame);
    } catch (FrameGrabber.Exception e) {
      throw new IllegalStateException("cannot read a poster frame: " + e.getMessage(), e);
    }
    ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(poster.toFile())) {
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(POSTER_QUALITY);
      writer.setOutput(out);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
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

  private static String ffmpegError(int code) {
    byte[] buf = new byte[256];
    av_strerror(code, buf, buf.length);
    int len = 0;
    while (len < buf.length && buf[len] != 0) {
      len++;
    }
    return len == 0 ? "FFmpeg error " + code : new String(buf, 0, len, StandardCharsets.UTF_8);
  }
}
