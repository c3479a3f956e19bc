package dev.capstan.model.video;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Why a video failed, as a stable code (shown to API clients as {@code error.code}) and a sentence
 * a person can read.
 */
public enum FailureReason {
  SOURCE_MISSING("source_missing", "The uploaded file could not be found in storage."),
  SOURCE_EMPTY("source_empty", "The uploaded file is empty."),
  SOURCE_TRUNCATED(
      "source_truncated", "The uploaded file is incomplete: it ends before its stated length."),
  UNSUPPORTED_MEDIA(
      "unsupported_media", "The uploaded file is not a video or audio file that can be decoded."),
  NO_VIDEO_STREAM("no_video_stream", "The uploaded file has neither a video nor an audio track."),
  LIMITS_EXCEEDED(
      "limits_exceeded", "The file exceeds the allowed size, resolution, frame rate or duration."),
  TRANSCODE_ERROR("transcode_error", "Transcoding failed."),
  TRANSCODE_STALLED("transcode_stalled", "Transcoding stopped making progress and was aborted."),
  INTERNAL("internal_error", "An internal error stopped processing.");

  private final String code;
  private final String defaultMessage;

  FailureReason(String code, String defaultMessage) {
    this.code = code;
    this.defaultMessage = defaultMessage;
  }

  @JsonValue
  public String code() {
    return code;
  }

  public String defaultMessage() {
    return defaultMessage;
  }

  public static FailureReason fromCode(String code) {
    for (FailureReason r : values()) {
      if (r.code.equals(code)) {
        return r;
      }
    }
    return INTERNAL;
  }
}
