package dev.capstan.model.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * Something that happened to a video, as workers and the API publish it on Redis pub/sub and as
 * clients receive it over Server-Sent Events. {@code type} is one of {@link VideoEventType}'s wire
 * names; fields that do not apply to a type are absent.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VideoEvent(
    String type,
    String videoId,
    String status,
    Integer percent,
    String stage,
    Double etaSeconds,
    String rendition,
    String errorCode,
    String errorMessage,
    Instant at) {

  public static VideoEvent status(String videoId, String status, Instant at) {
    return new VideoEvent(
        VideoEventType.STATUS.wireName(), videoId, status, null, null, null, null, null, null, at);
  }

  public static VideoEvent progress(
      String videoId, int percent, String stage, Double etaSeconds, Instant at) {
    return new VideoEvent(
        VideoEventType.PROGRESS.wireName(),
        videoId,
        "processing",
        percent,
        stage,
        etaSeconds,
        null,
        null,
        null,
        at);
  }

  public static VideoEvent renditionReady(String videoId, String rendition, Instant at) {
    return new VideoEvent(
        VideoEventType.RENDITION_READY.wireName(),
        videoId,
        null,
        null,
        null,
        null,
        rendition,
        null,
        null,
        at);
  }

  /** The video turned {@code playable}; {@code rendition} names the rung that plays first. */
  public static VideoEvent playable(String videoId, String rendition, Instant at) {
    return new VideoEvent(
        VideoEventType.PLAYABLE.wireName(),
        videoId,
        "playable",
        null,
        null,
        null,
        rendition,
        null,
        null,
        at);
  }

  public static VideoEvent ready(String videoId, Instant at) {
    return new VideoEvent(
        VideoEventType.READY.wireName(), videoId, "ready", 100, "done", 0.0, null, null, null, at);
  }

  public static VideoEvent failed(String videoId, String code, String message, Instant at) {
    return new VideoEvent(
        VideoEventType.FAILED.wireName(),
        videoId,
        "failed",
        null,
        null,
        null,
        null,
        code,
        message,
        at);
  }
}
