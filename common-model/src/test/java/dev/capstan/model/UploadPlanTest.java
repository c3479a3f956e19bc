package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.storage.UploadPlan;
import org.junit.jupiter.api.Test;

class UploadPlanTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void small_file_is_one_part() {
    UploadPlan plan = UploadPlan.forSize(1000);
    assertThat(plan.partCount()).isEqualTo(1);
    assertThat(plan.sizeOfPart(1)).isEqualTo(1000);
  }

  @Test
  void parts_are_equal_but_the_last() {
    UploadPlan plan = UploadPlan.forSize(20 * MIB + 5);
    assertThat(plan.partSize()).isEqualTo(8 * MIB);
    assertThat(plan.partCount()).isEqualTo(3);
    assertThat(plan.sizeOfPart(1)).isEqualTo(plan.sizeOfPart(2)).isEqualTo(8 * MIB);
    assertThat(plan.sizeOfPart(3)).isEqualTo(4 * MIB + 5);
  }

  @Test
  void huge_file_stays_within_ten_thousand_whole_mebibyte_parts() {
    long size = 5L * 1024 * 1024 * 1024 * 1024; // 5 TiB, S3's object limit
    UploadPlan plan = UploadPlan.forSize(size);
    assertThat(plan.partCount()).isLessThanOrEqualTo(10_000);
    assertThat(plan.partSize() % MIB).isZero();
    assertThat(plan.partSize() * (plan.partCount() - 1) + plan.sizeOfPart(plan.partCount()))
        .isEqualTo(size);
  }

  @Test
  void nothing_to_upload_is_refused() {
    assertThatThrownBy(() -> UploadPlan.forSize(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
