package dev.capstan.worker.transcode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_find_stream_info;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_open_input;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Joins fMP4 HLS renditions into the fast-start MP4 download without decoding: the segments of a
 * rendition, appended to its init segment, are one fragmented MP4; the packets of the video one and
 * the audio one are copied, interleaved by time, into an MP4 with its index in front.
 */
public final class FragmentRemuxer {
  private FragmentRemuxer() {}

  /** Writes {@code init} followed by every segment into {@code target}: one fragmented MP4. */
  public static void concat(Path init, List<Path> segments, Path target) throws IOException {
    try (OutputStream out = Files.newOutputStream(target)) {
      Files.copy(init, out);
      for (Path s : segments) {
        Files.copy(s, out);
      }
    }
  }

  /**
   * The fast-start MP4 from renditions in an HLS folder as a transcode left them: the init segment
   * and segments of the video rendition {@code video} and (when not null) of the audio rendition
   * {@code audio}, each joined into one fragmented MP4 beside them, then remuxed into {@code mp4}.
   */
  public static void fromHls(Path hlsDir, String video, String audio, Path mp4) throws IOException {
    Path videoFile = joined(hlsDir, video, mp4);
    Path audioFile = audio == null ? null : joined(hlsDir, audio, mp4);
    try {
      remux(videoFile, audioFile, mp4);
    } finally {
      Files.deleteIfExists(videoFile);
      if (audioFile != null) {
        Files.deleteIfExists(audioFile);
      }
    }
  }

  private static Path joined(Path hlsDir, String rendition, Path mp4) throws IOException {
    HlsFolder.MediaPlaylist playlist =
        HlsFolder.parse(Files.readString(hlsDir.resolve(rendition + ".m3u8")));
    if (playlist.init() == null || playlist.segments().isEmpty()) {
      throw new IllegalStateException("rendition " + rendition + " has no fMP4 segments to join");
    }
    List<Path> segments = new ArrayList<>();
    for (String s : playlist.segments()) {
      segments.add(hlsDir.resolve(s));
    }
    Path target = mp4.resolveSibling(mp4.getFileName() + "." + rendition + ".fmp4");
    concat(hlsDir.resolve(playlist.init()), segments, target);
    return target;
  }

  /** Copies the packets of {@code video} and (when not null) {@code audio} into {@code mp4}. */
  public static void remux(Path video, Path audio, Path mp4) {
    List<AVFormatContext> inputs = new ArrayList<>();
    AVFormatContext out = new AVFormatContext(null);
    AVPacket[] next = new AVPacket[2];
    try {
      check(avformat_alloc_output_context2(out, null, "mp4", mp4.toString()), "output context");
      List<Path> files = audio == null ? List.of(video) : List.of(video, audio);
      for (Path file : files) {
        AVFormatContext in = new AVFormatContext(null);
        check(avformat_open_input(in, file.toString(), null, null), "open " + file);
        inputs.add(in);
        check(avformat_find_stream_info(in, (PointerPointer<?>) null), "probe " + file);
        AVStream is = in.streams(0);
        AVStream os = avformat_new_stream(out, null);
        check(avcodec_parameters_copy(os.codecpar(), is.codecpar()), "stream parameters");
        os.codecpar().codec_tag(0);
        os.time_base(is.time_base());
      }
      AVIOContext pb = new AVIOContext(null);
      check(avio_open(pb, mp4.toString(), AVIO_FLAG_WRITE), "open " + mp4);
      out.pb(pb);
      AVDictionary options = new AVDictionary(null);
      av_dict_set(options, "movflags", "+faststart", 0);
      try {
        check(avformat_write_header(out, options), "MP4 header");
      } finally {
        av_dict_free(options);
      }
      for (int i = 0; i < inputs.size(); i++) {
        next[i] = read(inputs.get(i));
      }
      while (true) {
        int pick = -1;
        double earliest = Double.MAX_VALUE;
        for (int i = 0; i < inputs.size(); i++) {
          if (next[i] != null) {
            double t = seconds(next[i], inputs.get(i).streams(0));
            if (t < earliest) {
              earliest = t;
              pick = i;
            }
          }
        }
        if (pick < 0) {
          break;
        }
        AVPacket p = next[pick];
        av_packet_rescale_ts(
            p, inputs.get(pick).streams(0).time_base(), out.streams(pick).time_base());
        p.stream_index(pick);
        p.pos(-1);
        check(av_interleaved_write_frame(out, p), "write packet");
        av_packet_free(p);
        next[pick] = read(inputs.get(pick));
      }
      check(av_write_trailer(out), "MP4 trailer");
    } finally {
      for (AVPacket p : next) {
        if (p != null) {
          av_packet_free(p);
        }
      }
      for (AVFormatContext in : inputs) {
        avformat_close_input(in);
      }
      if (out.pb() != null) {
        avio_closep(out.pb());
      }
      avformat_free_context(out);
    }
  }

  private static AVPacket read(AVFormatContext in) {
    AVPacket p = av_packet_alloc();
    while (av_read_frame(in, p) >= 0) {
      if (p.stream_index() == 0) {
        return p;
      }
      av_packet_unref(p);
    }
    av_packet_free(p);
    return null;
  }

  private static double seconds(AVPacket p, AVStream s) {
    long ts = p.dts() != AV_NOPTS_VALUE ? p.dts() : p.pts();
    return ts * av_q2d(s.time_base());
  }

  private static void check(int ret, String what) {
    if (ret < 0) {
      throw new IllegalStateException("remux: " + what + " failed (" + ret + ")");
    }
  }
}
