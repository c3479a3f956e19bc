package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.capstan.model.video.VideoStatus;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.Size;
import java.net.URI;
import java.time.Instant;

/** Bodies of share links: {@code /api/v1/videos/{id}/shares}, {@code /api/v1/shares}, public. */
public final class ShareMessages {
  /** Header that carries the password of a protected share link. */
  public static final String PASSWORD_HEADER = "X-Share-Password";

  private ShareMessages() {}

  public record CreateShareRequest(
      @Future Instant expiresAt, @Size(min = 4, max = 200) String password) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record ShareView(
      String code,
      URI url,
      String videoId,
      String videoTitle,
      boolean passwordProtected,
      Instant expiresAt,
      long viewCount,
      Instant createdAt) {}

  /** What anyone holding the link may see. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PublicShareView(
      String code,
      String title,
      String ownerName,
      VideoStatus status,
      Double durationSeconds,
      Integer width,
      Integer height,
      URI posterUrl,
      VideoMessages.Playback playback,
      Instant createdAt) {}
}
