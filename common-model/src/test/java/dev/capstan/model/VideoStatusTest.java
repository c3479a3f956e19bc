package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.model.job.JobState;
import dev.capstan.model.video.VideoStatus;
import org.junit.jupiter.api.Test;

class VideoStatusTest {

  @Test
  void happy_path_is_allowed() {
    assertThat(
            VideoStatus.AWAITING_UPLOAD
                .transitionTo(VideoStatus.QUEUED)
                .transitionTo(VideoStatus.PROCESSING)
                .transitionTo(VideoStatus.READY))
        .isEqualTo(VideoStatus.READY);
  }

  @Test
  void a_progressively_published_video_is_playable_between_processing_and_ready() {
    assertThat(
            VideoStatus.PROCESSING
                .transitionTo(VideoStatus.PLAYABLE)
                .transitionTo(VideoStatus.READY))
        .isEqualTo(VideoStatus.READY);
    assertThat(VideoStatus.PLAYABLE.canBecome(VideoStatus.FAILED)).isTrue();
    assertThat(VideoStatus.PLAYABLE.canBecome(VideoStatus.QUEUED)).isTrue();
    assertThat(VideoStatus.PLAYABLE.canBecome(VideoStatus.PROCESSING)).isFalse();
    assertThat(VideoStatus.QUEUED.canBecome(VideoStatus.PLAYABLE)).isFalse();
    assertThat(VideoStatus.PLAYABLE.inProgress()).isTrue();
    assertThat(VideoStatus.PLAYABLE.playable()).isTrue();
    assertThat(VideoStatus.PROCESSING.playable()).isFalse();
  }

  @Test
  void a_video_cannot_jump_from_awaiting_upload_to_ready() {
    assertThatThrownBy(() -> VideoStatus.AWAITING_UPLOAD.transitionTo(VideoStatus.READY))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void status_travels_as_its_lowercase_wire_name() throws Exception {
    ObjectMapper json = new ObjectMapper();
    assertThat(json.writeValueAsString(VideoStatus.AWAITING_UPLOAD))
        .isEqualTo("\"awaiting_upload\"");
    assertThat(json.readValue("\"ready\"", VideoStatus.class)).isEqualTo(VideoStatus.READY);
  }

  @Test
  void terminal_job_states_have_no_way_out() {
    assertThat(JobState.SUCCEEDED.isTerminal()).isTrue();
    assertThat(JobState.DEAD.isTerminal()).isTrue();
    assertThat(JobState.RUNNING.canBecome(JobState.SUCCEEDED)).isTrue();
    assertThat(JobState.QUEUED.canBecome(JobState.SUCCEEDED)).isFalse();
  }

  @Test
  void a_flow_parent_waits_for_its_chunks_and_only_running_again_finishes_or_it_dies() {
    assertThat(JobState.RUNNING.canBecome(JobState.WAITING)).isTrue();
    assertThat(JobState.WAITING.next()).containsExactlyInAnyOrder(JobState.RUNNING, JobState.DEAD);
    assertThat(JobState.WAITING.canBecome(JobState.SUCCEEDED)).isFalse();
    assertThat(JobState.WAITING.isTerminal()).isFalse();
  }
}
