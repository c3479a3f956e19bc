package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.video.FailureReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameFilter;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.FrameRecorder;

/**
 * The two halves of a chunked (fleet-parallel) transcode, on FFmpeg through JavaCV.
 *
 * <p>{@link #encodeChunk}: one time range of the source, given in output frames on the segment
 * grid, encoded for every rung of the ladder. It seeks to the keyframe before the range, decodes
 * from there, drops every picture before the range and stops at its end, and stamps the first
 * picture with its absolute frame number, so the fMP4 {@code tfdt} of each segment carries the time
 * it has in the whole video and the segments of consecutive chunks join without a gap. Segments are
 * numbered globally ({@code start_number}) and every rung starts each segment on a keyframe (the
 * first picture of a chunk is one, and the GOP is fixed), so the chunks' segment lists are
 * concatenated into media playlists without re-encoding anything. Encoder settings are those of
 * {@link JavaCvTranscoder} (H.264 High, CRF 23 under the rung's cap, fixed GOP, no scene cuts), the
 * same for every chunk, so every chunk writes the same init segment per rung.
 *
 * <p>Each chunk also keeps the stills of its range: its storyboard tiles (numbered as in the whole
 * video) and its best poster candidate; {@link #stitchStoryboard} joins the tiles into the sheet
 * and cues, and the finishing step takes the best candidate as the poster.
 *
 * <p>{@link #encodeAudio}: what is made once for the whole video, by the flow's audio child job
 * beside the picture chunks: the audio rendition (one encode, so there are no clicks at chunk
 * joins; no picture is decoded).
 */
public final class ChunkEncoder {

  /** Keyframe interval of every rung, as in the single-job path. */
  public static final double GOP_SECONDS = 2.0;

  /** Length of an HLS segment: two GOPs. */
  public static final double SEGMENT_SECONDS = 4.0;

  private final TranscodeOptions options;

  public ChunkEncoder(TranscodeOptions options) {
    this.options = options;
  }

  /** Pictures per GOP at {@code fps}: the GOP of every rung. */
  public static int gopFrames(double fps) {
    return Math.max(1, (int) Math.round(fps * GOP_SECONDS));
  }

  /** Pictures per HLS segment at {@code fps}: two GOPs (the muxer cuts at the 4 s keyframe). */
  public static int segmentFrames(double fps) {
    return 2 * gopFrames(fps);
  }

  /** The output frame rate the ladder is encoded at (the source's, or 30 when it is unusable). */
  public static double outputFps(SourceMedia media) {
    return media.fps() > 0 && media.fps() <= 1000 ? media.fps() : 30.0;
  }

  /**
   * One chunk to encode.
   *
   * @param startFrame first output frame (a multiple of {@link #segmentFrames})
   * @param endFrame output frame after the last one, or {@link Long#MAX_VALUE} for the chunk that
   *     runs to the end of the source
   * @param firstSegment global number of the chunk's first segment
   * @param filePrefix prefix of every file name the chunk writes (unique per chunk attempt)
   * @param keyframes when not empty: the output frames where a segment starts (a stream-copied top
   *     rung's cuts), the only keyframes, each the start of a segment; empty: the fixed GOP
   * @param skipRung a rung not to encode (the one stream-copied), or null
   */
  public record ChunkSpec(
      long startFrame,
      long endFrame,
      int firstSegment,
      String filePrefix,
      Set<Long> keyframes,
      String skipRung) {

    public ChunkSpec {
      keyframes = Set.copyOf(keyframes);
    }

    /** A chunk on the fixed GOP grid, for every rung. */
    public ChunkSpec(long startFrame, long endFrame, int firstSegment, String filePrefix) {
      this(startFrame, endFrame, firstSegment, filePrefix, Set.of(), null);
    }
  }

  /** One segment as written: its file and how many pictures it holds. */
  public record Segment(Path file, long frames) {}

  /** One rung of a chunk as written. */
  public record RungOutput(
      Rung rung, Dimensions size, String level, Path init, List<Segment> segments) {}

  /**
   * Some consecutive tiles of a storyboard made apart (by one chunk).
   *
   * @param png the tiles side by side, lossless (null when there are none)
   * @param firstTile the number of the first one in the whole storyboard
   * @param tiles how many
   */
  public record Strip(Path png, int firstTile, int tiles) {}

  /**
   * A chunk's best poster candidate: a JPEG at the poster's size and its measure (the highest
   * measure among the chunks' candidates is the whole video's poster).
   */
  public record PosterCandidate(Path jpeg, Dimensions size, double score) {}

  /**
   * A chunk as written: its rungs, largest first, the pictures each rung holds, its storyboard
   * tiles and its poster candidate (null when its range holds none of the candidate times).
   */
  public record ChunkOutput(
      long frames, List<RungOutput> rungs, Strip storyboard, PosterCandidate poster) {}

  /**
   * Encodes {@code spec} for every rung of the ladder into {@code outputDir}.
   *
   * @throws MediaRejected when the range holds no picture at all
   */
  public ChunkOutput encodeChunk(
      Path source, SourceMedia media, ChunkSpec spec, Path outputDir, TranscodeListener listener) {
    if (!media.hasVideo() || media.rotationDegrees() != 0) {
      throw new IllegalArgumentException("chunks are made of upright video sources only");
    }
    double fps = outputFps(media);
    double slotUs = 1_000_000 / fps;
    int gop = gopFrames(fps);
    List<Rung> rungs =
        RenditionLadder.forSource(media.display()).stream()
            .filter(r -> !r.name().equals(spec.skipRung()))
            .toList();
    boolean forced = !spec.keyframes().isEmpty();
    List<FFmpegFrameRecorder> recorders = new ArrayList<>();
    List<String> levels = new ArrayList<>();
    StallWatch stall = new StallWatch(options.stallTimeout(), System::nanoTime);
    long written = 0;
    // The stills of the range: pictures on the output grid, the one before the range's first at
    // (startFrame - 1) / fps, so a tile or candidate time between two chunks goes to exactly one.
    double after = (spec.startFrame() - 1) / fps;
    Dimensions posterSize = RenditionLadder.outputSize(media.display(), RenditionLadder.DOWNLOAD);
    Strip strip;
    PosterCandidate candidate = null;
    try (PosterPicker poster =
            new PosterPicker(
                posterSize.width(), posterSize.height(), media.durationSeconds(), after);
        StoryboardBuilder storyboard =
            new StoryboardBuilder(media.display(), media.durationSeconds(), after)) {
      Files.createDirectories(outputDir);
      for (Rung rung : rungs) {
        Dimensions size = RenditionLadder.outputSize(media.display(), rung);
        String level = H264Level.of(size, fps, rung.maxVideoKbps(), 2 * rung.maxVideoKbps());
        levels.add(level);
        FFmpegFrameRecorder r =
            hlsRecorder(
                outputDir,
                spec.filePrefix() + rung.name(),
                size.width(),
                size.height(),
                0,
                spec.firstSegment(),
                forced);
        recorders.add(r);
        JavaCvTranscoder.configureH264(
            r, fps, gop, rung.maxVideoKbps(), level, options.threadsOption());
        if (forced) {
          // Keyframes only where the copy's segments start, as in the single-job path.
          r.setVideoOption("forced-idr", "1");
          r.setVideoOption("x264-params", "keyint=infinite:min-keyint=1:scenecut=0");
        }
        r.start();
        // Absolute output time: the first picture is frame startFrame of the whole video.
        r.setFrameNumber(Math.toIntExact(spec.startFrame()));
      }
      try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile())) {
        grabber.setPixelFormat(AV_PIX_FMT_YUV420P);
        grabber.setVideoOption("threads", options.threadsOption());
        grabber.start();
        long originUs = grabber.getFormatContext().start_time();
        if (originUs == AV_NOPTS_VALUE) {
          originUs = 0;
        }
        if (spec.startFrame() > 0) {
          // Seek to the keyframe before the range (decoding on from it); half a slot early so
          // the range's first picture, wherever it sits in its slot, is not skipped.
          long target = originUs + Math.round((spec.startFrame() - 0.5) * slotUs);
          grabber.setVideoTimestamp(Math.max(0, target));
        }
        long slot = spec.startFrame();
        Held previous = new Held();
        Frame frame;
        while (slot < spec.endFrame() && (frame = grabber.grabImage()) != null) {
          stall.check();
          if (listener.shouldStop()) {
            throw new TranscodeStopped("chunk stopped on request");
          }
          long ts = Math.max(0, frame.timestamp - originUs);
          long due = Math.round(ts / slotUs);
          stall.advanced(ts);
          if (due < slot) {
            continue; // before the range (decoded from the keyframe), or its slot is taken
          }
          // A hole in the source's timing is filled with the picture before it, as the
          // single-job path's constant-rate feed does.
          while (slot < due && slot < spec.endFrame()) {
            Frame fill = previous.frame != null ? previous.frame : frame;
            record(recorders, fill, forced && spec.keyframes().contains(slot));
            still(poster, storyboard, fill, slot / fps);
            slot++;
          }
          if (slot < spec.endFrame()) {
            record(recorders, frame, forced && spec.keyframes().contains(slot));
            still(poster, storyboard, frame, slot / fps);
            slot++;
            previous.keep(frame);
          }
          if (spec.endFrame() != Long.MAX_VALUE) {
            listener.progress(
                (double) (slot - spec.startFrame()) / (spec.endFrame() - spec.startFrame()));
          }
        }
        written = slot - spec.startFrame();
      } catch (FrameGrabber.Exception e) {
        throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
      }
      if (written == 0) {
        throw new MediaRejected(
            FailureReason.UNSUPPORTED_MEDIA, "no picture in frames from " + spec.startFrame());
      }
      for (FFmpegFrameRecorder r : recorders) {
        r.stop();
      }
      strip = storyboard.writeStrip(outputDir.resolve(spec.filePrefix() + "storyboard.png"));
      if (poster.best() != null) {
        Path jpeg = outputDir.resolve(spec.filePrefix() + "poster.jpg");
        Jpeg.write(poster.best(), jpeg);
        candidate = new PosterCandidate(jpeg, posterSize, poster.bestScore());
      }
    } catch (FrameRecorder.Exception | FrameFilter.Exception e) {
      throw new IllegalStateException("encoding failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      release(recorders);
    }
    listener.progress(1.0);
    List<RungOutput> out = new ArrayList<>();
    for (int i = 0; i < rungs.size(); i++) {
      Rung rung = rungs.get(i);
      String name = spec.filePrefix() + rung.name();
      out.add(
          new RungOutput(
              rung,
              RenditionLadder.outputSize(media.display(), rung),
              levels.get(i),
              outputDir.resolve(name + "_init.mp4"),
              segments(outputDir, name, fps, written)));
    }
    return new ChunkOutput(written, List.copyOf(out), strip, candidate);
  }

  private static void still(
      PosterPicker poster, StoryboardBuilder storyboard, Frame picture, double seconds)
      throws FrameFilter.Exception {
    poster.offer(picture, AV_PIX_FMT_YUV420P, seconds);
    storyboard.offer(picture, AV_PIX_FMT_YUV420P, seconds);
  }

  /**
   * The whole video's storyboard (sheet and cues, into {@code sprite} and {@code vtt}) from the
   * chunks' strips in order.
   *
   * @throws IllegalStateException when a strip is missing or does not follow the one before
   */
  public static TranscodeResult.Storyboard stitchStoryboard(
      Dimensions display, double durationSeconds, List<Strip> strips, Path sprite, Path vtt)
      throws IOException {
    return StoryboardBuilder.stitch(display, durationSeconds, strips, sprite, vtt);
  }

  /**
   * The segments of a media playlist just written, with their pictures: each as its {@code EXTINF}
   * says in whole frames, the last one what is left of {@code total}.
   */
  static List<Segment> segments(Path dir, String name, double fps, long total) {
    List<String> files = new ArrayList<>();
    List<Double> seconds = new ArrayList<>();
    double extinf = -1;
    try {
      for (String line : Files.readAllLines(dir.resolve(name + ".m3u8"), StandardCharsets.UTF_8)) {
        if (line.startsWith("#EXTINF:")) {
          extinf = Double.parseDouble(line.substring(8, line.indexOf(',')));
        } else if (!line.isBlank() && !line.startsWith("#") && extinf >= 0) {
          files.add(line.trim());
          seconds.add(extinf);
          extinf = -1;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Segment> out = new ArrayList<>();
    long left = total;
    for (int i = 0; i < files.size(); i++) {
      long frames = i == files.size() - 1 ? left : Math.round(seconds.get(i) * fps);
      left -= frames;
      out.add(new Segment(dir.resolve(files.get(i)), frames));
    }
    if (left != 0 || out.stream().anyMatch(s -> s.frames() <= 0)) {
      throw new IllegalStateException(
          "segments of " + name + " do not add up to the " + total + " pictures written");
    }
    return List.copyOf(out);
  }

  /**
   * The RFC 6381 codec string of an H.264 init segment ({@code avc1.PPCCLL}), from the profile,
   * constraint flags and level in its {@code avcC} record.
   */
  public static String avcCodecs(Path init) {
    try {
      byte[] b = Files.readAllBytes(init);
      for (int i = 4; i + 8 < b.length; i++) {
        if (b[i] == 'a' && b[i + 1] == 'v' && b[i + 2] == 'c' && b[i + 3] == 'C' && b[i + 4] == 1) {
          return "avc1.%02x%02x%02x".formatted(b[i + 5] & 0xff, b[i + 6] & 0xff, b[i + 7] & 0xff);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException(init + " holds no avcC record");
  }

  /**
   * The audio rendition of the whole source ({@code name.m3u8}, {@code name_init.mp4} and its
   * segments, in {@code hlsDir}); null when the source has no audio. Only audio packets are
   * decoded.
   */
  public TranscodeResult.HlsAudio encodeAudio(
      Path source, SourceMedia media, Path hlsDir, String name, TranscodeListener listener) {
    if (!media.hasAudio()) {
      return null;
    }
    FFmpegFrameRecorder audio = null;
    StallWatch stall = new StallWatch(options.stallTimeout(), System::nanoTime);
    try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(source.toFile())) {
      Files.createDirectories(hlsDir);
      audio = hlsRecorder(hlsDir, name, 0, 0, JavaCvTranscoder.AUDIO_CHANNELS, 0, false);
      JavaCvTranscoder.configureAudio(audio);
      audio.start();
      grabber.start();
      long originUs = grabber.getFormatContext().start_time();
      if (originUs == AV_NOPTS_VALUE) {
        originUs = 0;
      }
      double durationUs = media.durationSeconds() * 1_000_000;
      Frame frame;
      while ((frame = grabber.grabSamples()) != null) {
        stall.check();
        if (listener.shouldStop()) {
          throw new TranscodeStopped("stopped on request");
        }
        if (frame.samples == null) {
          continue;
        }
        audio.record(frame);
        long ts = Math.max(0, frame.timestamp - originUs);
        stall.advanced(ts);
        if (durationUs > 0) {
          listener.progress(Math.min(1.0, ts / durationUs));
        }
      }
      audio.stop();
      return readAudio(hlsDir, name);
    } catch (FrameGrabber.Exception e) {
      throw new MediaRejected(FailureReason.TRANSCODE_ERROR, e.getMessage());
    } catch (FrameRecorder.Exception e) {
      throw new IllegalStateException("encoding failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (audio != null) {
        release(List.of(audio));
      }
    }
  }

  /** The audio rendition {@code name} in {@code hlsDir} as written (encoded, or copied). */
  public static TranscodeResult.HlsAudio readAudio(Path hlsDir, String name) throws IOException {
    long bytes = Files.size(hlsDir.resolve(name + "_init.mp4"));
    long segmentBytes = 0;
    double seconds = 0;
    double peak = 0;
    double extinf = -1;
    Path playlist = hlsDir.resolve(name + ".m3u8");
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
    long average = seconds > 0 ? Math.round(segmentBytes * 8 / seconds) : 0;
    return new TranscodeResult.HlsAudio(
        playlist,
        Math.round(peak),
        average,
        "mp4a.40.2",
        bytes + segmentBytes,
        JavaCvTranscoder.AUDIO_CHANNELS);
  }

  private static FFmpegFrameRecorder hlsRecorder(
      Path dir,
      String name,
      int width,
      int height,
      int audioChannels,
      int firstSegment,
      boolean cutAtEveryKeyframe) {
    FFmpegFrameRecorder r =
        new FFmpegFrameRecorder(dir.resolve(name + ".m3u8").toFile(), width, height, audioChannels);
    r.setFormat("hls");
    // With forced keyframes every keyframe starts a segment: the muxer's 4 s rule counts from the
    // chunk's start, the copy's from the video's, so the rule itself could pick other cuts.
    r.setOption("hls_time", cutAtEveryKeyframe ? "0.05" : Integer.toString((int) SEGMENT_SECONDS));
    r.setOption("hls_playlist_type", "vod");
    r.setOption("hls_segment_type", "fmp4");
    r.setOption("hls_fmp4_init_filename", name + "_init.mp4");
    r.setOption("hls_segment_filename", dir.resolve(name + "_%05d.m4s").toString());
    r.setOption("start_number", Integer.toString(firstSegment));
    r.setOption("hls_flags", "independent_segments");
    // Each fragment's tfdt is its first picture's absolute time, not time since the chunk began
    // (the inner MP4 muxer would otherwise shift every chunk to start at zero).
    r.setOption("hls_segment_options", "movflags=+frag_discont");
    // No shift of the first chunk's negative B-frame decode times: the edit list in the (shared)
    // init segment accounts for them, in every chunk alike.
    r.setOption("avoid_negative_ts", "disabled");
    return r;
  }

  private static void record(List<FFmpegFrameRecorder> recorders, Frame picture, boolean key)
      throws FrameRecorder.Exception {
    for (FFmpegFrameRecorder r : recorders) {
      if (key) {
        ForcedKeyframes.mark(r, true);
      }
      try {
        r.record(picture, AV_PIX_FMT_YUV420P);
      } finally {
        if (key) {
          ForcedKeyframes.mark(r, false);
        }
      }
    }
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

  /** A copy of the last picture recorded (the decoder reuses its buffers), to fill holes with. */
  private static final class Held {
    private Frame frame;
    private ByteBuffer bytes;

    void keep(Frame picture) {
      ByteBuffer source = ((ByteBuffer) picture.image[0]).duplicate();
      source.position(0);
      int size = source.limit();
      if (bytes == null || bytes.capacity() < size) {
        bytes = ByteBuffer.allocateDirect(size);
      }
      bytes.clear();
      bytes.put(source);
      bytes.flip();
      if (frame == null) {
        frame = new Frame();
      }
      frame.imageWidth = picture.imageWidth;
      frame.imageHeight = picture.imageHeight;
      frame.imageDepth = picture.imageDepth;
      frame.imageChannels = picture.imageChannels;
      frame.imageStride = picture.imageStride;
      frame.image = new Buffer[] {bytes};
    }
  }
}
