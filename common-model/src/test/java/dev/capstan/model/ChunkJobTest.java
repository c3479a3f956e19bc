package dev.capstan.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.job.ChunkRange;
import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.storage.S3Keys;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChunkJobTest {

  @Test
  void a_chunk_job_travels_with_its_range_and_stays_the_same_chunk_on_its_next_attempt() {
    ChunkRange range = new ChunkRange("parent-1", 2, 3, 5, 5400, 7200, 45, 30);
    TranscodeJob job =
        new TranscodeJob("job-1", "video-1", 1, "videos/video-1/source", null, range);

    Map<String, String> fields = JobMessage.encode(JobKinds.TRANSCODE, "job-1", job);
    TranscodeJob read = JobMessage.decode(JobKinds.TRANSCODE, fields);

    assertThat(read).isEqualTo(job);
    assertThat(read.isChunk()).isTrue();
    assertThat(read.withAttempt(2).chunk()).isEqualTo(range);
    assertThat(read.chunk().startSeconds()).isEqualTo(180.0);
    assertThat(fields.get(JobMessage.FIELD_PAYLOAD)).doesNotContain("isChunk");
  }

  @Test
  void the_audio_child_of_a_flow_travels_as_such_one_past_the_last_picture_chunk() {
    ChunkRange audio = ChunkRange.audioOf("parent-1", 2, 5, 30);
    TranscodeJob job =
        new TranscodeJob("job-2", "video-1", 1, "videos/video-1/source", null, audio);

    TranscodeJob read =
        JobMessage.decode(JobKinds.TRANSCODE, JobMessage.encode(JobKinds.TRANSCODE, "job-2", job));

    assertThat(read.chunk().audio()).isTrue();
    assertThat(read.chunk().index()).isEqualTo(5);
    assertThat(read.chunk().last()).isFalse();
    assertThat(new ChunkRange("parent-1", 2, 4, 5, 0, 10, 0, 30).audio()).isFalse();
  }

  @Test
  void a_whole_video_job_carries_no_chunk_field() {
    TranscodeJob job = new TranscodeJob("job-1", "video-1", 1, "videos/video-1/source");
    assertThat(JobMessage.encode(JobKinds.TRANSCODE, "job-1", job).get(JobMessage.FIELD_PAYLOAD))
        .doesNotContain("chunk");
    assertThat(job.isChunk()).isFalse();
  }

  @Test
  void each_attempt_of_each_chunk_writes_under_a_prefix_of_its_own_in_the_parent_hls_folder() {
    String attempt = S3Keys.attemptPrefix("v1", 2);
    assertThat(S3Keys.chunkFilePrefix(attempt, 3, 1)).isEqualTo("videos/v1/a2/hls/c0003a1_");
    assertThat(S3Keys.chunkFilePrefix(attempt, 3, 2))
        .doesNotStartWith(S3Keys.chunkFilePrefix(attempt, 3, 1));
  }
}
