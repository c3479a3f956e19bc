package dev.capstan.bench.report;

import dev.capstan.bench.result.BenchmarkResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plots of the report, each drawn from the numbers one benchmark keeps in its {@code extra}
 * (or its pairs). A plot whose benchmark did not run is not drawn; the report says so instead.
 */
public final class Plots {

  /** Benchmark ids the plots read. */
  public static final String API_THROUGHPUT = "api-throughput";

  public static final String WORKERS = "workers";
  public static final String TIME_TO_PLAYABLE = "time-to-playable";
  public static final String CHUNKED_WORKERS = "chunked-workers";

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /**
   * One plot slot of the report.
   *
   * @param file PNG name inside the plot folder
   * @param missing what the report says while the plot cannot be drawn
   */
  public record Plot(String title, String file, String missing) {}

  public static final Plot THROUGHPUT =
      new Plot(
          "Throughput vs connections: the API against nginx",
          "throughput-vs-connections.png",
          "the api-throughput benchmark did not run in this suite run");
  public static final Plot SPEEDUP =
      new Plot(
          "Speedup vs workers",
          "speedup-vs-workers.png",
          "the workers benchmark did not run in this suite run");
  public static final Plot TIME_TO_PLAYABLE_PLOT =
      new Plot(
          "Time to playable vs video length",
          "time-to-playable-vs-length.png",
          "the time-to-playable benchmark (bench/time-to-playable.sh) did not run in this suite"
              + " run");

  public static final Plot CHUNKED_SPEEDUP =
      new Plot(
          "Speedup vs workers: one long video in chunks (measured at 2, modelled to 50)",
          "chunked-speedup-vs-workers.png",
          "the chunked-workers benchmark did not run in this suite run");

  private Plots() {}

  /** Draws every plot it has data for into {@code dir}; returns the plots drawn. */
  static List<Plot> draw(List<BenchmarkResult> results, Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Plot> drawn = new ArrayList<>();
    Optional<XYChart> throughput = find(results, API_THROUGHPUT).flatMap(Plots::throughput);
    if (throughput.isPresent()) {
      save(throughput.get(), dir.resolve(THROUGHPUT.file()));
      drawn.add(THROUGHPUT);
    }
    Optional<XYChart> speedup = find(results, WORKERS).flatMap(Plots::speedup);
    if (speedup.isPresent()) {
      save(speedup.get(), dir.resolve(SPEEDUP.file()));
      drawn.add(SPEEDUP);
    }
    Optional<XYChart> playable = find(results, TIME_TO_PLAYABLE).flatMap(Plots::timeToPlayable);
    if (playable.isPresent()) {
      save(playable.get(), dir.resolve(TIME_TO_PLAYABLE_PLOT.file()));
      drawn.add(TIME_TO_PLAYABLE_PLOT);
    }
    Optional<XYChart> chunked = find(results, CHUNKED_WORKERS).flatMap(Plots::chunkedSpeedup);
    if (chunked.isPresent()) {
      save(chunked.get(), dir.resolve(CHUNKED_SPEEDUP.file()));
      drawn.add(CHUNKED_SPEEDUP);
    }
    return drawn;
  }

  static List<Plot> all() {
    return List.of(THROUGHPUT, SPEEDUP, TIME_TO_PLAYABLE_PLOT, CHUNKED_SPEEDUP);
  }

  private static Optional<BenchmarkResult> find(List<BenchmarkResult> results, String id) {
    return results.stream().filter(r -> r.benchmark().equals(id)).findFirst();
  }

  private static Optional<XYChart> throughput(BenchmarkResult r) {
    double[] connections = numbers(r.extra(), "connections");
    double[] api = numbers(r.extra(), "apiReqPerSec");
    double[] nginx = numbers(r.extra(), "nginxReqPerSec");
    if (connections == null
        || api == null
        || nginx == null
        || api.length != connections.length
        || nginx.length != connections.length) {
      return Optional.empty();
    }
    XYChart chart = chart(THROUGHPUT.title(), "connections", "requests per second (median)");
    line(chart, "Capstan API (GET /api/v1/videos/{id})", connections, api);
    line(chart, "nginx, same bytes from a file", connections, nginx);
    return Optional.of(chart);
  }

  private static Optional<XYChart> speedup(BenchmarkResult r) {
    if (r.pairs().isEmpty()) {
      return Optional.empty();
    }
    double[] workers = numbers(r.extra(), "workers");
    double many = workers != null && workers.length == 2 ? workers[1] : 2;
    double one = workers != null && workers.length == 2 ? workers[0] : 1;
    XYChart chart = chart(SPEEDUP.title(), "workers", "speedup over " + (int) one + " worker");
    line(chart, "ideal", new double[] {one, many}, new double[] {1, many / one});
    line(
        chart,
        "measured (median of pairs)",
        new double[] {one, many},
        new double[] {1, r.ratioStats().median()});
    XYSeries pairs =
        chart.addSeries(
            "each pair",
            r.pairs().stream().mapToDouble(p -> many).toArray(),
            r.pairs().stream().mapToDouble(BenchmarkResult.Pair::ratio).toArray());
    pairs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    return Optional.of(chart);
  }

  /**
   * One video's speedup over the single-job path against the number of workers: ideal, the model
   * from the measured per-chunk overheads ({@code modelWorkers}, {@code modelSpeedup}), and the
   * measured pairs at 2 workers.
   */
  static Optional<XYChart> chunkedSpeedup(BenchmarkResult r) {
    double[] workers = numbers(r.extra(), "modelWorkers");
    double[] model = numbers(r.extra(), "modelSpeedup");
    if (workers == null || model == null || model.length != workers.length || r.pairs().isEmpty()) {
      return Optional.empty();
    }
    XYChart chart =
        chart(CHUNKED_SPEEDUP.title(), "workers (1 core each)", "speedup over the single-job path");
    line(
        chart,
        "ideal",
        new double[] {1, workers[workers.length - 1]},
        new double[] {1, workers[workers.length - 1]});
    chart.addSeries("model (measured overheads)", workers, model).setMarker(SeriesMarkers.NONE);
    line(
        chart,
        "measured (median of pairs)",
        new double[] {2},
        new double[] {r.ratioStats().median()});
    XYSeries pairs =
        chart.addSeries(
            "each pair",
            r.pairs().stream().mapToDouble(p -> 2).toArray(),
            r.pairs().stream().mapToDouble(BenchmarkResult.Pair::ratio).toArray());
    pairs.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    return Optional.of(chart);
  }

  private static Optional<XYChart> timeToPlayable(BenchmarkResult r) {
    double[] lengths = numbers(r.extra(), "lengthsSeconds");
    double[] capstan = numbers(r.extra(), "capstanSeconds");
    double[] full = numbers(r.extra(), "fullTranscodeSeconds");
    if (lengths == null || capstan == null || capstan.length != lengths.length) {
      return Optional.empty();
    }
    XYChart chart =
        chart(TIME_TO_PLAYABLE_PLOT.title(), "video length (s)", "upload done to playable (s)");
    line(chart, "Capstan: first segment played (median)", lengths, capstan);
    if (full != null && full.length == lengths.length) {
      line(chart, "whole transcode first: ready (single job)", lengths, full);
    }
    return Optional.of(chart);
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart chart =
        new XYChartBuilder()
            .width(800)
            .height(450)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
    chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setMarkerSize(7);
    return chart;
  }

  private static void line(XYChart chart, String name, double[] x, double[] y) {
    chart.addSeries(name, x, y).setMarker(SeriesMarkers.CIRCLE);
  }

  private static void save(XYChart chart, Path file) throws IOException {
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  /** A list of numbers in {@code extra}, or null when absent or not all numbers. */
  static double[] numbers(Map<String, Object> extra, String key) {
    if (!(extra.get(key) instanceof List<?> list) || list.isEmpty()) {
      return null;
    }
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Number n)) {
        return null;
      }
      out[i] = n.doubleValue();
    }
    return out;
  }
}
