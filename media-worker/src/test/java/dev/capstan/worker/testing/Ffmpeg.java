package dev.capstan.worker.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.ffmpeg.global.avutil.av_get_pix_fmt_name;

import dev.capstan.devtools.media.SampleClips;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/** The ffmpeg binary shipped in the JavaCV jar, for fixtures; and a look at a written stream. */
public final class Ffmpeg {
  private Ffmpeg() {}

  /** Runs {@code ffmpeg -y args...}; fails the test unless it exits 0 within a minute. */
  public static void run(String... args) throws Exception {
    SampleClips.ffmpeg(args);
  }

  /**
   * Runs ffmpeg writing its output to a pipe (as a browser's MediaRecorder does: no index, no
   * duration in the header), collected in {@code out}.
   */
  public static void runPiped(Path out, String... args) throws Exception {
    String bin = SampleClips.ffmpegBinary();
    List<String> cmd = new ArrayList<>(List.of(bin, "-hide_banner", "-loglevel", "error", "-y"));
    cmd.addAll(List.of(args));
    cmd.add("pipe:1");
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("LD_LIBRARY_PATH", Path.of(bin).getParent().toString());
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
  }

  /** The first video stream as written: pixel format, profile and level, side data count. */
  public record VideoStream(
      String pixelFormat, int profile, int level, int width, int height, int sideData) {}

  public static VideoStream videoStream(Path file) throws Exception {
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(file.toFile())) {
      g.start();
      if (g.getVideoStream() < 0) {
        return null;
      }
      AVCodecParameters p = g.getFormatContext().streams(g.getVideoStream()).codecpar();
      return new VideoStream(
          av_get_pix_fmt_name(p.format()).getString(),
          p.profile(),
          p.level(),
          p.width(),
          p.height(),
          p.nb_coded_side_data());
    }
  }
}
