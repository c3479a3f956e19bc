package dev.capstan.model.job;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Payload of a transcode job: turn the source of {@code videoId} into renditions under the prefix
 * of {@code attempt}.
 */
public record TranscodeJob(
    @JsonProperty("jobId") String jobId,
    @JsonProperty("videoId") String videoId,
    @JsonProperty("attempt") int attempt,
    @JsonProperty("sourceKey") String sourceKey) {}
