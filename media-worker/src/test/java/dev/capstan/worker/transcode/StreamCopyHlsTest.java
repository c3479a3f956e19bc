package dev.capstan.worker.transcode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StreamCopyHlsTest {

  @Test
  void the_copys_segments_end_at_the_first_keyframe_past_each_4_second_mark() {
    StreamCopyHls.Keyframes k = new StreamCopyHls.Keyframes(List.of(0.0, 1.5, 3.0, 4.5, 9.5), 14);

    assertThat(k.segmentDurations(4))
        .satisfiesExactly(
            d -> assertThat(d).isCloseTo(4.5, within(1e-9)),
            d -> assertThat(d).isCloseTo(5.0, within(1e-9)),
            d -> assertThat(d).isCloseTo(4.5, within(1e-9)));
    assertThat(k.longestGapSeconds()).isCloseTo(5.0, within(1e-9));
  }

  @Test
  void the_target_duration_is_the_longest_segment_rounded_up_even_when_it_comes_late() {
    StreamCopyHls.Keyframes k = new StreamCopyHls.Keyframes(List.of(0.0, 4.0, 9.5, 12.0), 14);

    assertThat(k.segmentDurations(4)).containsExactly(4.0, 5.5, 2.5, 2.0);
    assertThat(k.targetDurationSeconds(4)).isEqualTo(6);
    assertThat(new StreamCopyHls.Keyframes(List.of(0.0, 4.0, 8.0), 12).targetDurationSeconds(4))
        .isEqualTo(4);
  }
}
