package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.TranscodeJob;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobMessageTest {

  private static final TranscodeJob JOB =
      new TranscodeJob(
          "0195f3a2-7c1e-7000-8000-000000000001",
          "0195f3a2-7c1e-7000-8000-0000000000aa",
          2,
          "videos/0195f3a2-7c1e-7000-8000-0000000000aa/source");

  @Test
  void transcode_payload_matches_the_golden_json() throws IOException {
    Map<String, String> fields = JobMessage.encode(JobKinds.TRANSCODE, JOB.jobId(), JOB);
    assertThat(fields)
        .containsEntry("kind", "transcode")
        .containsEntry("jobId", JOB.jobId())
        .containsEntry("payload", golden("transcode-job.json"));
  }

  @Test
  void golden_json_decodes_to_the_same_record() throws IOException {
    Map<String, String> fields =
        Map.of("kind", "transcode", "jobId", JOB.jobId(), "payload", golden("transcode-job.json"));
    assertThat(JobMessage.decode(JobKinds.TRANSCODE, fields)).isEqualTo(JOB);
  }

  @Test
  void trace_context_travels_with_the_job_and_survives_another_attempt() {
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    TranscodeJob traced =
        new TranscodeJob(JOB.jobId(), JOB.videoId(), 1, JOB.sourceKey(), traceparent);
    Map<String, String> fields = JobMessage.encode(JobKinds.TRANSCODE, JOB.jobId(), traced);
    assertThat(fields.get("payload")).contains("\"traceparent\":\"" + traceparent + "\"");
    TranscodeJob decoded = JobMessage.decode(JobKinds.TRANSCODE, fields);
    assertThat(decoded).isEqualTo(traced);
    assertThat(decoded.withAttempt(2).traceparent()).isEqualTo(traceparent);
    assertThat(decoded.withAttempt(2).attempt()).isEqualTo(2);
  }

  @Test
  void entry_of_another_kind_is_rejected() {
    Map<String, String> fields = Map.of("kind", "thumbnail", "payload", "{}");
    assertThatThrownBy(() -> JobMessage.decode(JobKinds.TRANSCODE, fields))
        .isInstanceOf(JobMessage.MalformedJobMessage.class)
        .hasMessageContaining("expected kind transcode");
  }

  @Test
  void garbage_payload_is_rejected_not_crashing_the_consumer() {
    Map<String, String> fields = Map.of("kind", "transcode", "payload", "\u0000\u0001kryo");
    assertThatThrownBy(() -> JobMessage.decode(JobKinds.TRANSCODE, fields))
        .isInstanceOf(JobMessage.MalformedJobMessage.class);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = JobMessageTest.class.getResourceAsStream("/golden/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    }
  }
}
