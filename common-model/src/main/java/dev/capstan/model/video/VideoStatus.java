package dev.capstan.model.video;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * Lifecycle of a video. The only place that says which transitions are legal; both services ask it
 * before they write a status.
 *
 * <p>{@link #PLAYABLE} sits between processing and ready: the worker has published the first
 * segment of at least one rung (playlists still growing, {@code EXT-X-PLAYLIST-TYPE:EVENT}), so the
 * video plays while the rest is encoded. It fails, retries and completes as processing does.
 */
public enum VideoStatus {
  AWAITING_UPLOAD("awaiting_upload"),
  QUEUED("queued"),
  PROCESSING("processing"),
  PLAYABLE("playable"),
  READY("ready"),
  FAILED("failed");

  private final String wireName;

  VideoStatus(String wireName) {
    this.wireName = wireName;
  }

  @JsonValue
  public String wireName() {
    return wireName;
  }

  @JsonCreator
  public static VideoStatus fromWire(String value) {
    return Arrays.stream(values())
        .filter(s -> s.wireName.equals(value))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("unknown video status: " + value));
  }

  public Set<VideoStatus> next() {
    return switch (this) {
      case AWAITING_UPLOAD -> EnumSet.of(QUEUED, FAILED);
      // A queued video may be picked up again after a crash: processing -> queued is a retry.
      case QUEUED -> EnumSet.of(PROCESSING, FAILED);
      case PROCESSING -> EnumSet.of(PLAYABLE, READY, FAILED, QUEUED);
      // Playable: published progressively; finishes, fails or is retried like processing.
      case PLAYABLE -> EnumSet.of(READY, FAILED, QUEUED);
      case READY -> EnumSet.of(QUEUED);
      case FAILED -> EnumSet.of(QUEUED);
    };
  }

  /** A worker holds the video: {@link #PROCESSING} or {@link #PLAYABLE}. */
  public boolean inProgress() {
    return this == PROCESSING || this == PLAYABLE;
  }

  /** Something to play exists: {@link #PLAYABLE} or {@link #READY}. */
  public boolean playable() {
    return this == PLAYABLE || this == READY;
  }

  public boolean canBecome(VideoStatus target) {
    return next().contains(target);
  }

  /** Throws when the transition is not allowed; returns the target for fluent use. */
  public VideoStatus transitionTo(VideoStatus target) {
    if (!canBecome(target)) {
      throw new IllegalStateException("video cannot go from " + this + " to " + target);
    }
    return target;
  }
}
