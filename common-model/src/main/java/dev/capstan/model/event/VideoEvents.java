package dev.capstan.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The channel video events travel on and their JSON form. One channel per installation: every API
 * instance subscribes once and hands each event to its own SSE clients of that video.
 */
public final class VideoEvents {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private VideoEvents() {}

  /** Redis pub/sub channel of all video events under a namespace. */
  public static String channel(String namespace) {
    return namespace + ":events:videos";
  }

  public static String encode(VideoEvent event) {
    try {
      return JSON.writeValueAsString(event);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode event", e);
    }
  }

  /** Decodes an event; throws {@link IllegalArgumentException} for anything else. */
  public static VideoEvent decode(String json) {
    try {
      return JSON.readValue(json, VideoEvent.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a video event: " + e.getOriginalMessage(), e);
    }
  }
}
