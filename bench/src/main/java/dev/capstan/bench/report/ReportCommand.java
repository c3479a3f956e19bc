package dev.capstan.bench.report;

import dev.capstan.bench.result.BenchmarkResult;
import dev.capstan.devtools.media.SampleClips;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code report}: reads every {@code *.json} result of a suite run from a folder (in the order of
 * their names), and {@code not-run.tsv} (name TAB reason per line) for the benchmarks that produced
 * none, and {@code durations.tsv} (name TAB seconds per line, written by {@code ./capstan bench})
 * for how long each took, and writes the report.
 */
public final class ReportCommand {
  private ReportCommand() {}

  public static void main(Map<String, String> opts) throws Exception {
    Path results = Path.of(require(opts, "results"));
    List<BenchmarkResult> found = new ArrayList<>();
    List<NotRun> notRun = new ArrayList<>();
    try (Stream<Path> files = Files.list(results)) {
      // By name without ".json", so "01-transcode" comes before its "01-transcode-rss" sibling.
      Comparator<Path> byBase =
          Comparator.comparing(p -> p.getFileName().toString().replaceFirst("\\.json$", ""));
      for (Path f : files.sorted(byBase).toList()) {
        if (f.toString().endsWith(".json")) {
          try {
            found.add(BenchmarkResult.read(f));
          } catch (IOException e) {
            notRun.add(
                new NotRun(f.getFileName().toString(), "unreadable result: " + e.getMessage()));
          }
        }
      }
    }
    Path notRunFile = results.resolve("not-run.tsv");
    if (Files.exists(notRunFile)) {
      for (String line : Files.readAllLines(notRunFile)) {
        String[] f = line.split("\t", 2);
        if (f.length == 2) {
          notRun.add(new NotRun(f[0], f[1]));
        }
      }
    }
    List<RunInfo.Timing> timings = new ArrayList<>();
    Path durations = results.resolve("durations.tsv");
    if (Files.exists(durations)) {
      for (String line : Files.readAllLines(durations)) {
        String[] f = line.split("\t", 2);
        if (f.length == 2 && f[1].strip().matches("\\d+")) {
          timings.add(new RunInfo.Timing(f[0], Long.parseLong(f[1].strip())));
        }
      }
    }
    RunInfo run =
        new RunInfo(
            opts.containsKey("at") ? Instant.parse(opts.get("at")) : Instant.now(),
            opts.getOrDefault("commit", "unknown"),
            opts.getOrDefault("mode", "full"),
            opts.get("note"),
            timings);
    Path doc = Path.of(opts.getOrDefault("doc", "docs/BENCHMARKS.md"));
    Path plots = Path.of(opts.getOrDefault("plots", "docs/benchmarks"));
    new BenchmarksReport(run, MachineInfo.detect(ffmpegVersion())).write(found, notRun, doc, plots);
    System.err.println("wrote " + doc + " (" + found.size() + " results) and plots in " + plots);
  }

  /** First line of {@code ffmpeg -version} of the binary shipped in the JavaCV jar. */
  static String ffmpegVersion() {
    try {
      String ffmpeg = SampleClips.ffmpegBinary();
      ProcessBuilder pb = new ProcessBuilder(ffmpeg, "-version").redirectErrorStream(true);
      pb.environment().put("LD_LIBRARY_PATH", Path.of(ffmpeg).getParent().toString());
      Process p = pb.start();
      String first = new String(p.getInputStream().readAllBytes()).lines().findFirst().orElse("");
      p.waitFor(30, TimeUnit.SECONDS);
      String version = first.replaceFirst("^ffmpeg version (\\S+).*", "$1");
      return version + " (the build inside JavaCV's FFmpeg jar, GPL, libx264)";
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String require(Map<String, String> opts, String key) {
    String v = opts.get(key);
    if (v == null) {
      throw new IllegalArgumentException("--" + key + " is required");
    }
    return v;
  }
}
