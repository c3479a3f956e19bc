package dev.capstan.model.event;

/** Kinds of {@link VideoEvent}, named as webhooks and SSE clients see them. */
public enum VideoEventType {
  STATUS("video.status"),
  PROGRESS("video.progress"),
  RENDITION_READY("video.rendition.ready"),
  /** The first segment of a rung is published: the video plays while the rest is encoded. */
  PLAYABLE("video.playable"),
  READY("video.ready"),
  FAILED("video.failed"),
  DELETED("video.deleted");

  private final String wireName;

  VideoEventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }
}
