package dev.capstan.model.job;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Payload of a transcode job: turn the source of {@code videoId} into renditions under the prefix
 * of {@code attempt}.
 *
 * <p>{@code traceparent} is the W3C trace context of the request that caused the job (absent when
 * tracing is off), so the worker's spans join the uploader's trace.
 *
 * <p>{@code chunk} is present on the child jobs of a chunked transcode (a flow): the job then
 * encodes that range only, under the prefix of the parent's attempt, and {@code attempt} counts the
 * chunk's own attempts.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TranscodeJob(
    @JsonProperty("jobId") String jobId,
    @JsonProperty("videoId") String videoId,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("sourceKey") String sourceKey,
    @JsonProperty("traceparent") String traceparent,
    @JsonProperty("chunk") ChunkRange chunk) {

  /** A whole-video job in the trace {@code traceparent}. */
  public TranscodeJob(
      String jobId, String videoId, int attempt, String sourceKey, String traceparent) {
    this(jobId, videoId, attempt, sourceKey, traceparent, null);
  }

  /** A job outside any trace. */
  public TranscodeJob(String jobId, String videoId, int attempt, String sourceKey) {
    this(jobId, videoId, attempt, sourceKey, null, null);
  }

  /** The same job as another attempt, in the same trace (a chunk stays the same chunk). */
  public TranscodeJob withAttempt(int nextAttempt) {
    return new TranscodeJob(jobId, videoId, nextAttempt, sourceKey, traceparent, chunk);
  }

  /** Whether this job encodes one chunk of a video for its flow's parent. */
  @JsonIgnore
  public boolean isChunk() {
    return chunk != null;
  }
}
