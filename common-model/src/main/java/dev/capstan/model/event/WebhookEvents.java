package dev.capstan.model.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.capstan.model.api.WebhookMessages.WebhookEvent;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Webhook events as both services write them into the {@code webhook_outbox} table, in the
 * transaction of the change they announce (the worker: a video ready or failed; the API: a
 * deletion, a video failed by the retry policy). The API fans each row out into deliveries and
 * sends them, so an event is kept even when no API instance runs at the moment it happens.
 */
public final class WebhookEvents {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .registerModule(new JavaTimeModule())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private WebhookEvents() {}

  /** The event's idempotency key: the same event always gets the same key. */
  public static String key(String type, String videoId, Instant at) {
    return type + ":" + videoId + ":" + at.toEpochMilli();
  }

  /** The key of a {@code video.rendition.ready} event: one per rendition of the video. */
  public static String renditionKey(String videoId, String rendition, Instant at) {
    return VideoEventType.RENDITION_READY.wireName()
        + ":"
        + videoId
        + ":"
        + rendition
        + ":"
        + at.toEpochMilli();
  }

  /** The facts of one rendition a {@code video.rendition.ready} event carries. */
  public static Map<String, Object> renditionFacts(
      String kind, String name, Integer width, Integer height, Integer bitrateKbps, String codecs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", kind);
    m.put("name", name);
    m.put("width", width);
    m.put("height", height);
    m.put("bitrateKbps", bitrateKbps);
    m.put("codecs", codecs);
    return m;
  }

  /**
   * The facts of a video a webhook carries (no presigned URLs: they would expire in retries).
   * {@code errorCode} null: no {@code error} field.
   */
  public static Map<String, Object> videoFacts(
      String id,
      String title,
      String status,
      Double durationSeconds,
      Integer width,
      Integer height,
      String errorCode,
      String errorMessage) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", id);
    m.put("title", title);
    m.put("status", status);
    m.put("durationSeconds", durationSeconds);
    m.put("width", width);
    m.put("height", height);
    if (errorCode != null) {
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", errorCode);
      error.put("message", String.valueOf(errorMessage));
      m.put("error", error);
    }
    return m;
  }

  /** The body a receiver gets: {@code {id, type, createdAt, data: {video: facts}}}. */
  public static String payload(String key, String type, Instant at, Map<String, Object> video) {
    return payload(key, type, at, video, null);
  }

  /**
   * As {@link #payload(String, String, Instant, Map)}, with {@code data.rendition} when {@code
   * rendition} is not null.
   */
  public static String payload(
      String key,
      String type,
      Instant at,
      Map<String, Object> video,
      Map<String, Object> rendition) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("video", video);
    if (rendition != null) {
      data.put("rendition", rendition);
    }
    try {
      return JSON.writeValueAsString(new WebhookEvent(key, type, at, data));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode webhook event", e);
    }
  }
}
