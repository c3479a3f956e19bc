package dev.capstan.model.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;

/** Bodies of {@code /api/v1/videos/{id}/comments}. */
public final class CommentMessages {
  /** Header naming the share link a viewer (not the owner) comments through. */
  public static final String SHARE_CODE_HEADER = "X-Share-Code";

  private CommentMessages() {}

  /**
   * A comment, a reply ({@code parentId}) or a reaction ({@code type: "emoji"}, body one emoji).
   * {@code timestampSeconds} pins it to a moment of the video.
   */
  public record CreateCommentRequest(
      @NotBlank @Size(max = 5000) String body,
      @PositiveOrZero Double timestampSeconds,
      @Size(max = 36) String parentId,
      @Pattern(regexp = "text|emoji") String type) {}

  public record Author(String id, String name) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record CommentView(
      String id,
      String videoId,
      String parentId,
      String type,
      String body,
      Double timestampSeconds,
      Author author,
      Instant createdAt,
      List<CommentView> replies) {}
}
