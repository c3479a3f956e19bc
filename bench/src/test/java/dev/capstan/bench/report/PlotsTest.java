package dev.capstan.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.bench.result.BenchmarkResult;
import dev.capstan.bench.result.BenchmarkResult.Pair;
import dev.capstan.bench.result.BenchmarkResult.Target;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;

class PlotsTest {

  private static final List<Integer> WORKERS = IntStream.rangeClosed(1, 50).boxed().toList();

  /** Canned: 100 s single-job, T_W = 96 / W + 6, pairs at 2 workers of 1.80, 1.85 and 1.90. */
  private static final BenchmarkResult CHUNKED =
      new BenchmarkResult(
          "chunked-workers",
          "Chunked transcoding: 2 workers vs 1",
          "1/s",
          true,
          "2 workers",
          "1 worker",
          List.of(new Pair(1.80, 1), new Pair(1.85, 1), new Pair(1.90, 1)),
          new Target("≥ 1.80×", 1.8, null),
          Map.of(
              "modelWorkers",
              WORKERS,
              "modelSpeedup",
              WORKERS.stream().map(w -> 100.0 / (96.0 / w + 6)).toList()));

  @Test
  void the_chunked_speedup_plot_has_the_ideal_the_model_to_50_workers_and_the_measured_pairs() {
    XYChart chart = Plots.chunkedSpeedup(CHUNKED).orElseThrow();

    assertThat(chart.getSeriesMap().keySet())
        .containsExactly(
            "ideal", "model (measured overheads)", "measured (median of pairs)", "each pair");
    var model = chart.getSeriesMap().get("model (measured overheads)");
    assertThat(model.getXData()).hasSize(50);
    assertThat(model.getYData()[1])
        .isCloseTo(100.0 / 54, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(model.getYData()[49])
        .isCloseTo(100.0 / 7.92, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(chart.getSeriesMap().get("measured (median of pairs)").getYData())
        .containsExactly(1.85);
    assertThat(chart.getSeriesMap().get("each pair").getYData()).containsExactly(1.80, 1.85, 1.90);
  }

  @Test
  void the_chunked_speedup_plot_is_drawn_with_the_others_and_skipped_without_a_model(
      @TempDir Path dir) throws Exception {
    List<Plots.Plot> drawn = Plots.draw(List.of(CHUNKED), dir);

    assertThat(drawn).containsExactly(Plots.CHUNKED_SPEEDUP);
    BufferedImage image = ImageIO.read(dir.resolve(Plots.CHUNKED_SPEEDUP.file()).toFile());
    assertThat(image.getWidth()).isEqualTo(800);
    BenchmarkResult noModel =
        new BenchmarkResult(
            "chunked-workers", "t", "1/s", true, "a", "b", CHUNKED.pairs(), null, Map.of());
    assertThat(Plots.chunkedSpeedup(noModel)).isEmpty();
  }
}
