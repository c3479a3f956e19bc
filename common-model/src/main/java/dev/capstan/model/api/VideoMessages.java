package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.model.video.VideoStatus;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/** Bodies of {@code /api/v1/videos}. */
public final class VideoMessages {
  private VideoMessages() {}

  public record CreateVideoRequest(
      @Size(max = 300) String title, @Size(max = 5000) String description) {}

  /** Fields to change; absent fields stay as they are. */
  public record UpdateVideoRequest(
      @Size(min = 1, max = 300) String title, @Size(max = 5000) String description) {}

  /**
   * Where processing stands: percent done, the stage it is in and, while processing, the seconds
   * the worker expects are left (absent when unknown).
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Progress(int percent, String stage, Double etaSeconds) {
    public Progress(int percent, String stage) {
      this(percent, stage, null);
    }
  }

  /**
   * Where to watch or download: presigned MP4 (or M4A for an audio-only source) URLs and the API's
   * HLS master playlist; each absent until it exists.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Playback(URI mp4, URI hls, URI m4a) {
    public Playback(URI mp4, URI hls) {
      this(mp4, hls, null);
    }
  }

  /**
   * The scrubbing preview: WebVTT cues (served by the API, each pointing into the sprite sheet with
   * {@code #xywh=x,y,w,h}) and the sheet itself.
   */
  public record Storyboard(URI vtt, URI image, Integer tileWidth, Integer tileHeight) {}

  /**
   * One output of the current attempt: {@code mp4}, {@code m4a}, {@code thumbnail}, {@code
   * storyboard}, {@code hls} (the master), {@code hls_rung} (one per rung), {@code hls_audio}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Rendition(
      String kind,
      String name,
      Integer width,
      Integer height,
      Integer bitrateKbps,
      String codecs,
      long sizeBytes) {}

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
      Double fps,
      Boolean hasAudio,
      Playback playback,
      URI thumbnailUrl,
      Storyboard storyboard,
      List<Rendition> renditions,
      VideoError error,
      Instant createdAt,
      Instant updatedAt) {

    /** The same video with other playback URLs (a share link's instead of the owner's). */
    public VideoView withPlayback(Playback other) {
      return new VideoView(
          id,
          title,
          description,
          status,
          progress,
          durationSeconds,
          width,
          height,
          fps,
          hasAudio,
          other,
          thumbnailUrl,
          storyboard,
          renditions,
          error,
          createdAt,
          updatedAt);
    }
  }
}
