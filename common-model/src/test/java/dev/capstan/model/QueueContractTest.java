package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.WorkerHeartbeat;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class QueueContractTest {
  private static final Instant AT = Instant.parse("2026-11-28T06:00:00.5Z");

  @Test
  void each_lane_has_its_own_stream_and_the_short_lane_keeps_the_original_name() {
    assertThat(QueueNames.jobStream("cap", JobLane.SHORT)).isEqualTo("cap:jobs:transcode");
    assertThat(QueueNames.jobStream("cap")).isEqualTo("cap:jobs:transcode");
    assertThat(QueueNames.jobStream("cap", JobLane.LONG)).isEqualTo("cap:jobs:transcode:long");
    assertThat(QueueNames.workerKey("cap", "w1")).isEqualTo("cap:workers:w1");
  }

  @Test
  void big_sources_go_to_the_long_lane() {
    assertThat(JobLane.forSourceSize(99L, 100)).isEqualTo(JobLane.SHORT);
    assertThat(JobLane.forSourceSize(100L, 100)).isEqualTo(JobLane.LONG);
    assertThat(JobLane.forSourceSize(null, 100)).isEqualTo(JobLane.SHORT);
    assertThat(JobLane.fromWire("long")).isEqualTo(JobLane.LONG);
    assertThatThrownBy(() -> JobLane.fromWire("fast")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void a_worker_heartbeat_has_a_stable_json_form_and_survives_a_round_trip() {
    WorkerHeartbeat idle =
        new WorkerHeartbeat("w1", "host-a", null, null, null, null, null, null, AT, null, AT);
    assertThat(idle.encode())
        .isEqualTo(
            "{\"workerId\":\"w1\",\"host\":\"host-a\",\"since\":\"2026-11-28T06:00:00.500Z\","
                + "\"at\":\"2026-11-28T06:00:00.500Z\"}");
    WorkerHeartbeat busy =
        new WorkerHeartbeat("w1", "host-a", "j1", "v1", 2, "short", 42, "transcoding", AT, AT, AT);
    assertThat(WorkerHeartbeat.decode(busy.encode())).isEqualTo(busy);
  }
}
