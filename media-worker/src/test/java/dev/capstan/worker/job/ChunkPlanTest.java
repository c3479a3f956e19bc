package dev.capstan.worker.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkPlanTest {

  @Test
  void chunks_are_whole_segments_numbered_on_from_each_other_and_the_last_runs_to_the_end() {
    List<ChunkPlan.Range> plan = ChunkPlan.of(30, 24, 2);

    assertThat(plan)
        .containsExactly(
            new ChunkPlan.Range(0, 0, 240, 0),
            new ChunkPlan.Range(1, 240, 480, 2),
            new ChunkPlan.Range(2, 480, Long.MAX_VALUE, 4));
  }

  @Test
  void a_remainder_under_half_a_chunk_joins_the_last_chunk_and_over_half_gets_its_own() {
    // 10 min at 25 fps, one-minute chunks (15 segments of 100 frames): 10 chunks.
    assertThat(ChunkPlan.of(25, 600, 15)).hasSize(10);
    // 10 min 20 s: the 20 s join the tenth chunk.
    assertThat(ChunkPlan.of(25, 620, 15))
        .hasSize(10)
        .last()
        .extracting(ChunkPlan.Range::startFrame)
        .isEqualTo(9L * 1500);
    // 10 min 40 s: an eleventh chunk.
    assertThat(ChunkPlan.of(25, 640, 15)).hasSize(11);
  }

  @Test
  void a_fractional_frame_rate_keeps_segments_on_its_two_second_gop() {
    // 29.97 fps: GOP of 60 pictures, segments of 120.
    List<ChunkPlan.Range> plan = ChunkPlan.of(30000.0 / 1001, 60, 5);
    assertThat(plan).extracting(ChunkPlan.Range::startFrame).containsExactly(0L, 600L, 1200L);
    assertThat(plan).extracting(ChunkPlan.Range::firstSegment).containsExactly(0, 5, 10);
  }

  @Test
  void a_video_shorter_than_a_chunk_is_one_chunk_and_a_chunk_has_at_least_one_segment() {
    assertThat(ChunkPlan.of(30, 3, 15))
        .containsExactly(new ChunkPlan.Range(0, 0, Long.MAX_VALUE, 0));
    assertThatThrownBy(() -> ChunkPlan.of(30, 60, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void chunks_of_a_copied_rung_start_where_its_segments_start_whatever_their_lengths() {
    // Segments of a stream copy cut at the source's keyframes: 5 s, 5 s, 2.5 s, 5 s, 2.5 s, 4 s.
    List<Long> starts = List.of(0L, 150L, 300L, 375L, 525L, 600L);
    assertThat(ChunkPlan.ofCuts(starts, 2))
        .containsExactly(
            new ChunkPlan.Range(0, 0, 300, 0),
            new ChunkPlan.Range(1, 300, 525, 2),
            new ChunkPlan.Range(2, 525, Long.MAX_VALUE, 4));
    // Nine segments in chunks of four: the ninth joins the last chunk.
    assertThat(ChunkPlan.ofCuts(List.of(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), 4))
        .hasSize(2)
        .last()
        .isEqualTo(new ChunkPlan.Range(1, 4, Long.MAX_VALUE, 4));
  }

  @Test
  void
      chunk_zero_is_queued_first_then_the_longest_so_a_long_last_chunk_does_not_end_the_flow_alone() {
    // 3 min at 30 fps in 16 s chunks: 11 chunks, the last 20 s long.
    List<ChunkPlan.Range> plan = ChunkPlan.of(30, 180, 4);
    assertThat(plan).hasSize(11);

    List<ChunkPlan.Range> order = ChunkPlan.dispatchOrder(plan, 180 * 30);

    assertThat(order)
        .extracting(ChunkPlan.Range::index)
        .containsExactly(0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9);
  }

  @Test
  void a_short_last_chunk_stays_last_and_small_plans_keep_their_order() {
    // 2 min 8 s at 30 fps in 16 s chunks: 8 chunks, the last 16 s like the others.
    assertThat(ChunkPlan.dispatchOrder(ChunkPlan.of(30, 128, 4), 128 * 30))
        .extracting(ChunkPlan.Range::index)
        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    List<ChunkPlan.Range> two = ChunkPlan.of(30, 40, 4);
    assertThat(ChunkPlan.dispatchOrder(two, 40 * 30)).isEqualTo(two);
  }
}
