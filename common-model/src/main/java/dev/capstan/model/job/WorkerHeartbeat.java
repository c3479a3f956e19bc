package dev.capstan.model.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;

/**
 * What a live worker says about itself every heartbeat, stored as JSON under {@link
 * QueueNames#workerKey} with a TTL of a few heartbeats: a worker that stops beating disappears. Job
 * fields are absent while it is idle.
 *
 * @param since when the worker started
 * @param jobSince when it took its current job
 * @param at when this heartbeat was written
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WorkerHeartbeat(
    String workerId,
    String host,
    String jobId,
    String videoId,
    Integer attempt,
    String lane,
    Integer percent,
    String stage,
    Instant since,
    Instant jobSince,
    Instant at) {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public String encode() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode heartbeat", e);
    }
  }

  /** Decodes a heartbeat; throws {@link IllegalArgumentException} for anything else. */
  public static WorkerHeartbeat decode(String json) {
    try {
      return JSON.readValue(json, WorkerHeartbeat.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a worker heartbeat: " + e.getOriginalMessage(), e);
    }
  }
}
