package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.model.video.VideoStatus;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;

/** Bodies of {@code /api/v1/videos}. */
public final class VideoMessages {
  private VideoMessages() {}

  public record CreateVideoRequest(
      @Size(max = 300) String title, @Size(max = 5000) String description) {}

  /** Fields to change; absent fields stay as they are. */
  public record UpdateVideoRequest(
      @Size(min = 1, max = 300) String title, @Size(max = 5000) String description) {}

  /** Where processing stands: percent done and the stage it is in. */
  public record Progress(int percent, String stage) {}

  /** Short-lived URLs to watch or download; {@code hls} is absent until HLS exists. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Playback(URI mp4, URI hls) {}

  /** Why the video failed: a stable code and a sentence for people. */
  public record VideoError(String code, String message) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record VideoView(
      String id,
      String title,
      String description,
      VideoStatus status,
      Progress progress,
      Double durationSeconds,
      Integer width,
      Integer height,
      Playback playback,
      URI thumbnailUrl,
      VideoError error,
      Instant createdAt,
      Instant updatedAt) {}
}
