package dev.capstan.worker.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.video.FailureReason;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class JobFailureTest {

  @Test
  void a_media_failure_tells_the_owner_the_reason_and_what_ffmpeg_said() {
    JobFailure f =
        JobFailure.ofMedia(
            FailureReason.UNSUPPORTED_MEDIA, "Invalid data found when processing input");

    assertThat(f.readableMessage())
        .isEqualTo(
            "The uploaded file is not a video or audio file that can be decoded"
                + " (Invalid data found when processing input)");
    assertThat(f.technicalDetail())
        .isEqualTo("unsupported_media: Invalid data found when processing input");
  }

  @Test
  void a_media_failure_without_detail_reads_as_the_plain_reason() {
    assertThat(JobFailure.ofMedia(FailureReason.SOURCE_EMPTY, null).readableMessage())
        .isEqualTo("The uploaded file is empty.");
  }

  @Test
  void an_internal_failure_hides_the_exception_from_the_owner_but_keeps_it_for_operators() {
    JobFailure f = JobFailure.ofInternal(new IOException("connect to s3.internal:9000 refused"));

    assertThat(f.reason()).isEqualTo(FailureReason.INTERNAL);
    assertThat(f.readableMessage()).isEqualTo("An internal error stopped processing.");
    assertThat(f.technicalDetail()).isEqualTo("IOException: connect to s3.internal:9000 refused");
  }

  @Test
  void a_stalled_transcode_tells_the_owner_it_stalled_and_operators_where() {
    JobFailure f = JobFailure.ofStall("no progress for 61.0 s at 12.5 s of the source");

    assertThat(f.reason()).isEqualTo(FailureReason.TRANSCODE_STALLED);
    assertThat(f.reason().code()).isEqualTo("transcode_stalled");
    assertThat(f.readableMessage())
        .isEqualTo("Transcoding stopped making progress and was aborted.");
    assertThat(f.technicalDetail())
        .isEqualTo("transcode_stalled: no progress for 61.0 s at 12.5 s of the source");
  }

  @Test
  void texts_fit_the_columns_they_are_written_to() {
    JobFailure f = JobFailure.ofMedia(FailureReason.TRANSCODE_ERROR, "x".repeat(5000));

    assertThat(f.readableMessage()).hasSize(1000);
    assertThat(f.technicalDetail()).hasSize(1000);
  }
}
