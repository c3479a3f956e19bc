package dev.capstan.bench.transcode;

import dev.capstan.devtools.media.MediaProbe;
import dev.capstan.devtools.media.MediaProbe.MediaInfo;
import dev.capstan.devtools.media.SampleClips;
import dev.capstan.model.media.Dimensions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ffmpeg-split --source FILE --out DIR [--fps 30]}: runs side B of the transcode benchmark
 * once (the ffmpeg CLI doing Capstan's ladder in one process with a {@code split} graph) on any
 * source, under GNU time, and prints {@code RESULT cpuSeconds=… peakRssMB=… wallSeconds=…}: the
 * anchor of {@code bench/worker-memory.sh}, which measures the real worker on the same source.
 */
public final class SplitLadderRun {
  private SplitLadderRun() {}

  public static void main(Map<String, String> opts) throws Exception {
    Path source = Path.of(require(opts, "source"));
    Path out = Files.createDirectories(Path.of(require(opts, "out")));
    double fps = Double.parseDouble(opts.getOrDefault("fps", "30"));
    MediaInfo info = MediaProbe.probe(source);
    String ffmpeg = SampleClips.ffmpegBinary();
    CliLadder ladder =
        new CliLadder(
            ffmpeg,
            source,
            new Dimensions(info.width(), info.height()),
            fps,
            info.audioCodec() != null && !info.audioCodec().isEmpty());
    MeasuredRun run =
        MeasuredRun.run(
            ladder.splitCommand(out),
            Map.of("LD_LIBRARY_PATH", Path.of(ffmpeg).getParent().toString()),
            out.resolve("time.txt"),
            900);
    System.out.printf(
        Locale.ROOT,
        "RESULT cpuSeconds=%.3f peakRssMB=%.1f wallSeconds=%.3f%n",
        run.cpuSeconds(),
        run.peakRssMb(),
        run.wallSeconds());
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }
}
