package dev.capstan.devtools.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Loader;

/**
 * Generates small test clips with the ffmpeg binary that ships inside the JavaCV FFmpeg jar, so no
 * system ffmpeg is needed: a moving test pattern (testsrc2) and a sine tone.
 */
public final class SampleClips {

  /** What to generate. */
  public record Spec(
      double seconds, int width, int height, int fps, boolean audio, String videoCodec) {

    public static Spec standard(double seconds) {
      return new Spec(seconds, 320, 180, 30, true, "libx264");
    }

    public Spec withSize(int w, int h) {
      return new Spec(seconds, w, h, fps, audio, videoCodec);
    }

    public Spec withoutAudio() {
      return new Spec(seconds, width, height, fps, false, videoCodec);
    }

    /** A codec the download rendition must re-encode (MPEG-4 part 2 instead of H.264). */
    public Spec withVideoCodec(String codec) {
      return new Spec(seconds, width, height, fps, audio, codec);
    }

    public static Spec from(Map<String, String> opts) {
      Spec spec = standard(Double.parseDouble(opts.getOrDefault("seconds", "5")));
      if (opts.containsKey("size")) {
        String[] wh = opts.get("size").split("x");
        spec = spec.withSize(Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
      }
      if (opts.containsKey("no-audio")) {
        spec = spec.withoutAudio();
      }
      return spec;
    }
  }

  private SampleClips() {}

  /** Path of the bundled ffmpeg executable (unpacked into the JavaCPP cache on first use). */
  public static String ffmpegBinary() {
    return Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
  }

  public static Path generate(Spec spec, Path out) throws IOException, InterruptedException {
    Files.createDirectories(out.toAbsolutePath().getParent());
    List<String> args = new ArrayList<>();
    args.addAll(
        List.of(
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=%dx%d:rate=%d".formatted(spec.width(), spec.height(), spec.fps())));
    if (spec.audio()) {
      args.addAll(List.of("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"));
    }
    args.addAll(List.of("-t", Double.toString(spec.seconds()), "-c:v", spec.videoCodec()));
    if (spec.videoCodec().equals("libx264")) {
      args.addAll(List.of("-preset", "ultrafast", "-pix_fmt", "yuv420p"));
    }
    if (spec.audio()) {
      args.addAll(List.of("-c:a", "aac", "-ac", "2"));
    }
    args.add(out.toString());
    ffmpeg(args.toArray(String[]::new));
    return out;
  }

  /**
   * Runs the bundled {@code ffmpeg -y args...} (quiet but for errors), for fixtures.
   *
   * @throws IOException with ffmpeg's output when it fails or runs past two minutes
   */
  public static void ffmpeg(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.addAll(List.of(ffmpegBinary(), "-hide_banner", "-loglevel", "error", "-y"));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    // The binary links the FFmpeg libraries unpacked beside it.
    pb.environment().put("LD_LIBRARY_PATH", Path.of(cmd.get(0)).getParent().toString());
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("ffmpeg " + String.join(" ", args) + " failed: " + output);
    }
  }
}
