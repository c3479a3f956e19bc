package dev.capstan.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.bench.result.BenchmarkResult;
import dev.capstan.bench.result.BenchmarkResult.Pair;
import dev.capstan.bench.result.BenchmarkResult.Target;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksReportTest {

  private static final MachineInfo MACHINE =
      new MachineInfo(2, "Canned CPU @ 2.0GHz", 24_000, "21.0.5 (Canned)", "8.1.2 (canned)");
  private static final RunInfo RUN =
      new RunInfo(Instant.parse("2026-11-28T10:00:00Z"), "abc1234", "quick", "Shared machine.");

  /** Lower is better, median ratio 0.90 against ≤ 1.00: met. */
  private static final BenchmarkResult TRANSCODE =
      new BenchmarkResult(
          "transcode-split",
          "Transcode CPU: Capstan vs ffmpeg CLI (split)",
          "CPU s",
          false,
          "JavaCvTranscoder",
          "ffmpeg split",
          List.of(new Pair(9, 10), new Pair(18, 20), new Pair(11, 10)),
          new Target("CPU ratio ≤ 1.00× (median)", 1.0, null),
          Map.of("sourceSeconds", 12));

  /** Higher is better, median ratio 0.05 against ≥ 0.40: missed by 88%. */
  private static final BenchmarkResult API =
      new BenchmarkResult(
          "api-throughput",
          "API throughput: GET video vs nginx",
          "req/s",
          true,
          "API",
          "nginx",
          List.of(new Pair(2000, 40000), new Pair(2500, 50000), new Pair(3000, 60000)),
          new Target("≥ 0.40× nginx", 0.40, null),
          Map.of(
              "connections", List.of(8, 32, 128),
              "apiReqPerSec", List.of(1500.0, 2500.0, 2600.0),
              "nginxReqPerSec", List.of(30000.0, 50000.0, 52000.0)));

  /** An absolute bound only: 800 MB median against ≤ 768 MB. */
  private static final BenchmarkResult RSS =
      new BenchmarkResult(
          "transcode-rss",
          "Transcode peak RSS",
          "MB",
          false,
          "worker JVM",
          "ffmpeg",
          List.of(new Pair(790, 300), new Pair(800, 310), new Pair(810, 305)),
          new Target("≤ 768 MB", null, 768.0),
          Map.of());

  private static final BenchmarkResult WORKERS =
      new BenchmarkResult(
          "workers",
          "Jobs per minute: 2 workers vs 1",
          "jobs/min",
          true,
          "2 workers",
          "1 worker",
          List.of(new Pair(30, 20), new Pair(34, 20), new Pair(36, 20)),
          new Target("≥ 1.50×", 1.5, null),
          Map.of("workers", List.of(1, 2)));

  @Test
  void stats_are_min_median_max_of_the_pair_ratios() {
    assertThat(TRANSCODE.ratioStats().min()).isEqualTo(0.9);
    assertThat(TRANSCODE.ratioStats().median()).isEqualTo(0.9);
    assertThat(TRANSCODE.ratioStats().max()).isEqualTo(1.1);
    assertThat(WORKERS.ratioStats().median()).isEqualTo(1.7);
  }

  @Test
  void verdicts_follow_the_direction_and_both_kinds_of_bound() {
    assertThat(TRANSCODE.verdict()).isEqualTo(BenchmarkResult.Verdict.MET);
    assertThat(API.verdict()).isEqualTo(BenchmarkResult.Verdict.NOT_MET);
    assertThat(RSS.verdict()).isEqualTo(BenchmarkResult.Verdict.NOT_MET);
    assertThat(WORKERS.verdict()).isEqualTo(BenchmarkResult.Verdict.MET);
    BenchmarkResult noTarget =
        new BenchmarkResult(
            "x", "X", "s", false, "a", "b", List.of(new Pair(1, 1)), null, Map.of());
    assertThat(noTarget.verdict()).isEqualTo(BenchmarkResult.Verdict.NO_TARGET);
  }

  @Test
  void report_has_machine_tables_targets_misses_plots_and_what_did_not_run(@TempDir Path dir)
      throws Exception {
    Path doc = dir.resolve("docs/BENCHMARKS.md");
    Path plots = dir.resolve("docs/benchmarks");
    new BenchmarksReport(RUN, MACHINE)
        .write(
            List.of(TRANSCODE, API, RSS, WORKERS),
            List.of(new NotRun("bench/queue-throughput.sh", "not in this checkout")),
            doc,
            plots);

    String md = Files.readString(doc);
    assertThat(md)
        .startsWith("# Benchmarks")
        .contains(BenchmarksReport.HEADER)
        .contains("2026-11-28 10:00 UTC", "`abc1234`", "quick run")
        .contains("| CPU | 2 cores, Canned CPU @ 2.0GHz |", "23.4 GiB", "21.0.5", "8.1.2")
        .contains("Shared machine.");
    // Summary rows: medians, ratio min / median / max, target and verdict.
    assertThat(md)
        .contains(
            "| [Transcode CPU: Capstan vs ffmpeg CLI (split)](#transcode-cpu-capstan-vs-ffmpeg-cli-split)"
                + " | CPU s | 11.0 | 10.0 | 0.90× / **0.90×** / 1.10× | CPU ratio ≤ 1.00× (median) | met |")
        .contains("| 2,500 | 50,000 | 0.05× / **0.05×** / 0.05× | ≥ 0.40× nginx | not met |")
        .contains("| 800 | 305 | ")
        .contains("| 1.50× / **1.70×** / 1.80× | ≥ 1.50× | met |");
    // Per benchmark: every pair in order, and the min / median / max line.
    assertThat(md)
        .contains("| 1 | 9.00 | 10.0 | 0.90× |")
        .contains("| 2 | 18.0 | 20.0 | 0.90× |")
        .contains("| 3 | 11.0 | 10.0 | 1.10× |")
        .contains("| **min / median / max** | 9.00 / **11.0** / 18.0 | 10.0 / **10.0** / 20.0 |");
    // Misses say by how much.
    assertThat(md)
        .contains("**not met** (median ratio 0.05 against ≥ 0.40: 88% short)")
        .contains("**not met** (median 800 against ≤ 768: 4% over)")
        .contains("- sourceSeconds: 12\n")
        .contains("- connections: 8, 32, 128\n")
        .contains("- apiReqPerSec: 1,500, 2,500, 2,600\n");
    // Plots with data are drawn and linked; the missing one has its slot explained.
    assertThat(md)
        .contains(
            "![Throughput vs connections: the API against nginx](benchmarks/throughput-vs-connections.png)")
        .contains("![Speedup vs workers](benchmarks/speedup-vs-workers.png)")
        .contains(
            "### Time to playable vs video length\n\n_Not drawn: the time-to-playable benchmark");
    assertThat(plots.resolve("time-to-playable-vs-length.png")).doesNotExist();
    for (String png : List.of("throughput-vs-connections.png", "speedup-vs-workers.png")) {
      BufferedImage image = ImageIO.read(plots.resolve(png).toFile());
      assertThat(image).as(png).isNotNull();
      assertThat(image.getWidth()).isEqualTo(800);
      assertThat(image.getHeight()).isEqualTo(450);
    }
    assertThat(md).contains("## Not run\n\n- `bench/queue-throughput.sh`: not in this checkout");
  }

  @Test
  void time_to_playable_is_plotted_against_video_length_from_its_extra_numbers(@TempDir Path dir)
      throws Exception {
    BenchmarkResult playable =
        new BenchmarkResult(
            "time-to-playable",
            "Time to playable",
            "s",
            false,
            "upload complete -> first segment",
            "upload complete -> ready",
            List.of(
                new BenchmarkResult.Pair(1.8, 240),
                new BenchmarkResult.Pair(2.1, 240),
                new BenchmarkResult.Pair(1.9, 240)),
            new BenchmarkResult.Target("≤ 3 s", null, 3.0),
            Map.of(
                "lengthsSeconds", List.of(60, 200, 600),
                "capstanSeconds", List.of(1.2, 1.5, 1.9),
                "fullTranscodeSeconds", List.of(25, 80, 240)));
    Path plots = dir.resolve("plots");
    Path doc = dir.resolve("BENCHMARKS.md");
    new BenchmarksReport(RUN, MACHINE).write(List.of(playable), List.of(), doc, plots);

    assertThat(Files.readString(doc))
        .contains("![Time to playable vs video length](plots/time-to-playable-vs-length.png)");
    BufferedImage image = ImageIO.read(plots.resolve("time-to-playable-vs-length.png").toFile());
    assertThat(image).isNotNull();
    assertThat(image.getWidth()).isEqualTo(800);
    // Lengths and the two series disagree in size: nothing is drawn rather than a wrong plot.
    BenchmarkResult broken =
        new BenchmarkResult(
            "time-to-playable",
            "Time to playable",
            "s",
            false,
            "s",
            "a",
            playable.pairs(),
            playable.target(),
            Map.of("lengthsSeconds", List.of(60, 600), "capstanSeconds", List.of(1.2)));
    Path other = dir.resolve("other");
    assertThat(Plots.draw(List.of(broken), other)).isEmpty();
  }

  @Test
  void the_run_time_of_each_benchmark_and_the_total_are_listed(@TempDir Path dir) throws Exception {
    RunInfo timed =
        new RunInfo(
            RUN.at(),
            RUN.commit(),
            "quick",
            null,
            List.of(new RunInfo.Timing("transcode", 48), new RunInfo.Timing("workers", 75)));
    Path doc = dir.resolve("BENCHMARKS.md");
    new BenchmarksReport(timed, MACHINE).write(List.of(API), List.of(), doc, dir.resolve("plots"));
    assertThat(Files.readString(doc))
        .contains("## Run time")
        .contains("| transcode | 48 s |", "| workers | 1 min 15 s |")
        .contains("| **all (quick run)** | **2 min 03 s** |");
    Path untimed = dir.resolve("UNTIMED.md");
    new BenchmarksReport(RUN, MACHINE).write(List.of(API), List.of(), untimed, dir.resolve("p2"));
    assertThat(Files.readString(untimed)).doesNotContain("## Run time");
  }

  @Test
  void an_empty_run_still_writes_a_report_that_says_so(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("BENCHMARKS.md");
    new BenchmarksReport(RUN, MACHINE).write(List.of(), List.of(), doc, dir.resolve("plots"));
    assertThat(Files.readString(doc))
        .contains("(no benchmark produced a result)")
        .contains("_Not drawn: the api-throughput benchmark did not run");
  }

  @Test
  void results_round_trip_through_the_shared_json_format(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("api.json");
    API.write(file);
    String json = Files.readString(file);
    assertThat(json)
        .contains("\"benchmark\" : \"api-throughput\"", "\"higherIsBetter\" : true")
        .contains("\"absolute\" : null");
    BenchmarkResult back = BenchmarkResult.read(file);
    assertThat(back.pairs()).isEqualTo(API.pairs());
    assertThat(back.target()).isEqualTo(API.target());
    assertThat(Plots.numbers(back.extra(), "connections")).containsExactly(8, 32, 128);
  }
}
