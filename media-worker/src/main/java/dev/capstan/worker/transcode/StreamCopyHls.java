package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_KEY;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AV_DISPOSITION_ATTACHED_PIC;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_index_get_entries_count;
import static org.bytedeco.ffmpeg.global.avformat.avformat_index_get_entry;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import dev.capstan.model.media.Dimensions;
import dev.capstan.model.media.RenditionLadder.Rung;
import dev.capstan.model.video.FailureReason;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIndexEntry;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.FrameRecorder;
import org.jboss.logging.Logger;

/**
 * The fast path to playable: a source that already is what the top rung would be (H.264/AAC,
 * stream-copyable, at the rung's size, within its bitrate cap) is remuxed into the top HLS rung and
 * the audio rendition, decoding nothing: its packets, cut into segments at its own keyframes where
 * the HLS muxer's 4 s rule falls. That takes seconds for any length, and the publisher makes the
 * video playable from its first segment. The encoded rungs then get keyframes exactly at the copied
 * rung's segment starts ({@link #keyframeSlots}), so the muxer cuts every rung at the same places.
 */
public final class StreamCopyHls {
  private static final Logger LOG = Logger.getLogger(StreamCopyHls.class);

  /**
   * A source whose keyframes are further apart than this is encoded, not copied: the copy's
   * segments would be that long (a player fetches a whole segment before it can start).
   */
  static final double MAX_KEYFRAME_GAP_SECONDS = 10.0;

  /** Share of the progress bar the copy stands for; the encode after it fills the rest. */
  static final double COPY_SHARE = 0.1;

  private StreamCopyHls() {}

  /**
   * What the copy wrote.
   *
   * @param segmentStartsUs where each segment after the first starts, in microseconds from the
   *     source's start (the decoder's timestamps count from there too)
   * @param audioCopied the audio rendition is the source's AAC too (else it is still to encode)
   */
  public record Copied(List<Long> segmentStartsUs, boolean audioCopied) {

    /** Frame numbers, at {@code fps} from the source's start, that must be keyframes. */
    public Set<Long> keyframeSlots(double fps) {
      Set<Long> slots = new HashSet<>();
      for (long us : segmentStartsUs) {
        slots.add(Math.round(us * fps / 1_000_000.0));
      }
      return slots;
    }
  }

  /** Whether the top rung can be the source's own packets, from the probe alone. */
  public static boolean canCopy(SourceMedia media, Rung top, Dimensions topSize) {
    return media.streamCopyable()
        && !media.variableFrameRate()
        && media.display().equals(topSize)
        && media.videoKbps() > 0
        && media.videoKbps() <= top.maxVideoKbps()
        && media.fps() > 0
        && media.fps() <= 60;
  }

  /**
   * Copies the source into the top rung when it is suitable ({@link #canCopy} and keyframes at most
   * {@link #MAX_KEYFRAME_GAP_SECONDS} apart); null when it is not, with nothing written. Before the
   * first playlist is written it tells {@code listener} the target duration the copy's segments
   * need. The keyframes come from the container's index when it lists every frame (an MP4's sample
   * tables: no packet is read for them), else from reading every packet first.
   */
  public static Copied copyIfSuitable(
      Path source,
      SourceMedia media,
      Rung top,
      Dimensions topSize,
      Path hlsDir,
      TranscodeListener listener) {
    return copyIfSuitable(() -> MediaInput.open(source), media, top, topSize, hlsDir, listener);
  }

  /**
   * As {@link #copyIfSuitable(Path, SourceMedia, Rung, Dimensions, Path, TranscodeListener)}, from
   * a source still arriving: with the index at its head (a {@code moov}-first MP4) the copy runs
   * right behind the download, so the first segment is out long before the last byte is in.
   *
   * @throws java.io.UncheckedIOException when the source stops arriving
   */
  public static Copied copyIfSuitable(
      ArrivingFile source,
      SourceMedia media,
      Rung top,
      Dimensions topSize,
      Path hlsDir,
      TranscodeListener listener) {
    return copyIfSuitable(() -> MediaInput.open(source), media, top, topSize, hlsDir, listener);
  }

  private static Copied copyIfSuitable(
      Supplier<MediaInput> source,
      SourceMedia media,
      Rung top,
      Dimensions topSize,
      Path hlsDir,
      TranscodeListener listener) {
    if (!canCopy(media, top, topSize)) {
      return null;
    }
    long began = System.nanoTime();
    try (MediaInput in = source.get()) {
      Keyframes keyframes = indexedKeyframes(in.context());
      boolean indexed = keyframes != null;
      if (!indexed) {
        keyframes = scanKeyframes(in, listener);
      }
      LOG.infof(
          "keyframes of the source %s in %d ms",
          indexed ? "from its index" : "by reading every packet",
          (System.nanoTime() - began) / 1_000_000);
      if (keyframes == null || keyframes.longestGapSeconds() > MAX_KEYFRAME_GAP_SECONDS) {
        return null;
      }
      // Every video rung is cut where the copy is, so this holds for all of them.
      listener.hlsTargetDuration(
          keyframes.targetDurationSeconds(JavaCvTranscoder.HLS_SEGMENT_SECONDS));
      if (indexed) {
        return write(in, hlsDir, top.name(), media.hasAudio(), listener);
      }
      try (MediaInput again = source.get()) { // the scan read it to the end
        return write(again, hlsDir, top.name(), media.hasAudio(), listener);
      }
    }
  }

  /** The listener of the encode that follows a copy: its progress after the copy's share. */
  public static TranscodeListener afterCopy(TranscodeListener listener) {
    return new TranscodeListener() {
      @Override
      public void progress(double fraction) {
        listener.progress(COPY_SHARE + (1 - COPY_SHARE) * fraction);
      }

      @Override
      public boolean shouldStop() {
        return listener.shouldStop();
      }

      @Override
      public void hlsTargetDuration(int seconds) {
        listener.hlsTargetDuration(seconds);
      }
    };
  }

  /**
   * The source's video keyframe times and where its video ends, in seconds, read by demuxing only
   * (no decoding); null when it cannot be read or has no keyframe.
   */
  record Keyframes(List<Double> times, double end) {

    /** The longest stretch between keyframes, and from the last one to the end. */
    double longestGapSeconds() {
      double longest = 0;
      for (int i = 1; i < times.size(); i++) {
        longest = Math.max(longest, times.get(i) - times.get(i - 1));
      }
      return Math.max(longest, end - times.getLast());
    }

    /**
     * The segment durations the HLS muxer will write when it copies these packets: it cuts at the
     * first keyframe at least {@code n * hlsTime} after the first picture, for n = 1, 2, ...
     */
    List<Double> segmentDurations(double hlsTime) {
      List<Double> durations = new ArrayList<>();
      double first = times.getFirst();
      double cut = first;
      for (double t : times) {
        if (t > cut && t - first >= (durations.size() + 1) * hlsTime) {
          durations.add(t - cut);
          cut = t;
        }
      }
      durations.add(Math.max(0, end - cut));
      return durations;
    }

    /**
     * {@code EXT-X-TARGETDURATION} of the copied playlist: its longest segment rounded up, as the
     * muxer rounds it once it has seen every segment.
     */
    int targetDurationSeconds(double hlsTime) {
      double longest = 0;
      for (double d : segmentDurations(hlsTime)) {
        longest = Math.max(longest, d);
      }
      int whole = (int) longest;
      return Math.max(1, longest - whole >= 0.001 ? whole + 1 : whole);
    }
  }

  /**
   * The keyframes as the container's index has them, when it lists every frame of the video (an
   * MP4's sample tables, read with its {@code moov}); null otherwise (no index, a partial one as a
   * Matroska cue list, or frames an edit list drops). Index times are decode times: a keyframe is
   * shown a fixed delay after it is decoded (the B-frame delay, the same for every keyframe of a
   * stream of closed GOPs), so the gaps between keyframes, all that the segment lengths depend on,
   * are the same as between their presentation times.
   */
  static Keyframes indexedKeyframes(AVFormatContext ic) {
    AVStream video = videoStream(ic);
    if (video == null) {
      return null;
    }
    int count = avformat_index_get_entries_count(video);
    if (count < 2 || video.nb_frames() != count) {
      return null;
    }
    double timeBase = av_q2d(video.time_base());
    List<Double> keyframes = new ArrayList<>();
    double last = 0;
    double step = 0;
    for (int i = 0; i < count; i++) {
      AVIndexEntry e = avformat_index_get_entry(video, i);
      if (e == null || (e.flags() & AVIndexEntry.AVINDEX_DISCARD_FRAME) != 0) {
        return null;
      }
      double t = e.timestamp() * timeBase;
      if (i > 0) {
        step = t - last;
      }
      last = t;
      if ((e.flags() & AVIndexEntry.AVINDEX_KEYFRAME) != 0) {
        keyframes.add(t);
      }
    }
    return keyframes.isEmpty() || step <= 0
        ? null
        : new Keyframes(List.copyOf(keyframes), last + step);
  }

  /** The keyframes found by reading every packet (no decoding) to the end; null without any. */
  static Keyframes scanKeyframes(MediaInput in, TranscodeListener listener) {
    AVFormatContext ic = in.context();
    List<Double> keyframes = new ArrayList<>();
    double end = 0;
    AVPacket packet = av_packet_alloc();
    try {
      while (av_read_frame(ic, packet) >= 0) {
        AVStream st = ic.streams(packet.stream_index());
        if (st.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO && packet.pts() != AV_NOPTS_VALUE) {
          double t = packet.pts() * av_q2d(st.time_base());
          end = Math.max(end, t + Math.max(0, packet.duration()) * av_q2d(st.time_base()));
          if ((packet.flags() & AV_PKT_FLAG_KEY) != 0) {
            keyframes.add(t);
          }
        }
        av_packet_unref(packet);
      }
      in.rethrowReadFailure(listener); // an unread tail must not pass for the end
    } finally {
      av_packet_free(packet);
    }
    return keyframes.isEmpty() ? null : new Keyframes(List.copyOf(keyframes), end);
  }

  private static AVStream videoStream(AVFormatContext ic) {
    for (int i = 0; i < ic.nb_streams(); i++) {
      AVStream st = ic.streams(i);
      if (st.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO
          && (st.disposition() & AV_DISPOSITION_ATTACHED_PIC) == 0) {
        return st;
      }
    }
    return null;
  }

  private static AVStream audioStream(AVFormatContext ic) {
    for (int i = 0; i < ic.nb_streams(); i++) {
      AVStream st = ic.streams(i);
      if (st.codecpar().codec_type() == AVMEDIA_TYPE_AUDIO) {
        return st;
      }
    }
    return null;
  }

  /**
   * Remuxes the opened source's video into the rung {@code rungName} and, when {@code withAudio},
   * its AAC into the audio rendition, in {@code hlsDir} as the encoders would have written them.
   */
  private static Copied write(
      MediaInput in, Path hlsDir, String rungName, boolean withAudio, TranscodeListener listener) {
    long firstVideoUs = Long.MIN_VALUE;
    AVFormatContext ic = in.context();
    AVStream videoStream = videoStream(ic);
    AVStream audioStream = withAudio ? audioStream(ic) : null;
    if (videoStream == null) {
      throw new MediaRejected(FailureReason.UNSUPPORTED_MEDIA, "no video stream to copy");
    }
    long startUs = ic.start_time() == AV_NOPTS_VALUE ? 0 : ic.start_time();
    AVCodecParameters vp = videoStream.codecpar();
    FFmpegFrameRecorder video =
        JavaCvTranscoder.hlsRecorder(hlsDir, rungName, vp.width(), vp.height(), 0);
    FFmpegFrameRecorder audio =
        audioStream == null
            ? null
            : JavaCvTranscoder.hlsRecorder(
                hlsDir,
                JavaCvTranscoder.AUDIO_RENDITION,
                0,
                0,
                audioStream.codecpar().ch_layout().nb_channels());
    AVPacket packet = av_packet_alloc();
    try {
      video.setVideoCodec(vp.codec_id());
      video.setFrameRate(frameRate(videoStream));
      video.start(ic);
      if (audio != null) {
        audio.setAudioCodec(audioStream.codecpar().codec_id());
        audio.setSampleRate(audioStream.codecpar().sample_rate());
        audio.start(ic);
      }
      double durationUs = Math.max(1, ic.duration());
      int ret;
      while ((ret = av_read_frame(ic, packet)) >= 0) {
        if (listener.shouldStop()) {
          throw new TranscodeStopped("stream copy stopped on request");
        }
        AVStream st = ic.streams(packet.stream_index());
        int type = st.codecpar().codec_type();
        long ptsUs =
            packet.pts() == AV_NOPTS_VALUE
                ? Long.MIN_VALUE
                : Math.round(packet.pts() * av_q2d(st.time_base()) * 1_000_000) - startUs;
        if (type == AVMEDIA_TYPE_VIDEO && st.index() == videoStream.index()) {
          if (firstVideoUs == Long.MIN_VALUE && ptsUs != Long.MIN_VALUE) {
            firstVideoUs = ptsUs;
          }
          video.recordPacket(packet);
        } else if (type == AVMEDIA_TYPE_AUDIO && audio != null) {
          audio.recordPacket(packet);
        }
        av_packet_unref(packet);
        if (ptsUs != Long.MIN_VALUE && ic.duration() > 0) {
          listener.progress(Math.max(0, Math.min(COPY_SHARE, COPY_SHARE * ptsUs / durationUs)));
        }
      }
      in.rethrowReadFailure(listener); // an unread tail must not pass for the end
      if (ret != AVERROR_EOF) {
        throw new MediaRejected(FailureReason.TRANSCODE_ERROR, JavaCvTranscoder.ffmpegError(ret));
      }
      video.stop();
      if (audio != null) {
        audio.stop();
      }
    } catch (FrameRecorder.Exception e) {
      throw new IllegalStateException("stream copy failed: " + e.getMessage(), e);
    } finally {
      av_packet_free(packet);
      releaseQuietly(video);
      if (audio != null) {
        releaseQuietly(audio);
      }
    }
    return new Copied(segmentStarts(hlsDir, rungName, Math.max(0, firstVideoUs)), audio != null);
  }

  /** The frame rate the recorder is told, as JavaCV's grabber reports it. */
  private static double frameRate(AVStream st) {
    AVRational r = st.avg_frame_rate();
    if (r.num() == 0 || r.den() == 0) {
      r = st.r_frame_rate();
    }
    return r.den() == 0 ? 0 : av_q2d(r);
  }

  private static void releaseQuietly(FFmpegFrameRecorder r) {
    try {
      r.release();
    } catch (FrameRecorder.Exception e) {
      // already failed or stopped: nothing left to write
    }
  }

  /** Segment starts after the first: the first packet's time plus the durations before each. */
  private static List<Long> segmentStarts(Path hlsDir, String rungName, long firstUs) {
    try {
      String text = Files.readString(hlsDir.resolve(rungName + ".m3u8"), StandardCharsets.UTF_8);
      List<Double> extinf = HlsFolder.parse(text).extinf();
      List<Long> starts = new ArrayList<>();
      double at = firstUs / 1e6;
      for (int i = 0; i < extinf.size() - 1; i++) {
        at += extinf.get(i);
        starts.add(Math.round(at * 1e6));
      }
      return starts;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
