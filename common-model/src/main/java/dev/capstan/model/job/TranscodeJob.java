package dev.capstan.model.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Payload of a transcode job: turn the source of {@code videoId} into renditions under the prefix
 * of {@code attempt}.
 *
 * <p>{@code traceparent} is the W3C trace context of the request that caused the job (absent when
 * tracing is off), so the worker's spans join the uploader's trace.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TranscodeJob(
    @JsonProperty("jobId") String jobId,
    @JsonProperty("videoId") String videoId,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("sourceKey") String sourceKey,
    @JsonProperty("traceparent") String traceparent) {

  /** A job outside any trace. */
  public TranscodeJob(String jobId, String videoId, int attempt, String sourceKey) {
    this(jobId, videoId, attempt, sourceKey, null);
  }

  /** The same job as another attempt, in the same trace. */
  public TranscodeJob withAttempt(int nextAttempt) {
    return new TranscodeJob(jobId, videoId, nextAttempt, sourceKey, traceparent);
  }
}
