package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.media.Dimensions;
import java.util.List;
import org.junit.jupiter.api.Test;

class ThreadBudgetTest {
  private static final Dimensions SOURCE = new Dimensions(1920, 1080);

  /** A 1080p source's ladder and its 720p download. */
  private static final List<Dimensions> LADDER =
      List.of(
          new Dimensions(1920, 1080),
          new Dimensions(1280, 720),
          new Dimensions(852, 480),
          new Dimensions(640, 360),
          new Dimensions(1280, 720));

  @Test
  void on_two_cores_the_decoder_and_every_encoder_get_one_thread() {
    ThreadBudget budget = ThreadBudget.share(2, SOURCE, LADDER);

    assertThat(budget.decoder()).isEqualTo(1);
    assertThat(budget.encoders()).containsExactly(1, 1, 1, 1, 1);
  }

  @Test
  void a_larger_budget_goes_mostly_to_the_largest_pictures_and_is_not_exceeded() {
    ThreadBudget budget = ThreadBudget.share(16, SOURCE, LADDER);

    List<Integer> e = budget.encoders();
    assertThat(e.get(0)).isGreaterThan(e.get(1));
    assertThat(e.get(1)).isGreaterThan(e.get(3));
    assertThat(e.get(1)).isEqualTo(e.get(4));
    assertThat(budget.decoder() + e.stream().mapToInt(Integer::intValue).sum()).isBetween(12, 16);
  }

  @Test
  void nobody_gets_less_than_one_thread() {
    ThreadBudget budget = ThreadBudget.share(1, SOURCE, LADDER);

    assertThat(budget.decoder()).isEqualTo(1);
    assertThat(budget.encoders()).containsOnly(1);
  }

  @Test
  void zero_means_one_thread_per_core() {
    int cores = Runtime.getRuntime().availableProcessors();

    assertThat(ThreadBudget.share(0, SOURCE, LADDER))
        .isEqualTo(ThreadBudget.share(cores, SOURCE, LADDER));
  }
}
