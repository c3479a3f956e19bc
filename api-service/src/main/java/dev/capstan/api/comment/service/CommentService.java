package dev.capstan.api.comment.service;

import dev.capstan.api.auth.persistence.UserEntity;
import dev.capstan.api.comment.persistence.CommentEntity;
import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.share.service.ShareLink;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.model.api.CommentMessages.Author;
import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.CommentMessages.CreateCommentRequest;
import dev.capstan.model.api.Page;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Comments, replies and emoji reactions. The video's owner may always comment; anyone else needs to
 * be signed in and to hold a live share link of that video (and its password, if set). Listing
 * pages through top-level comments oldest first, each with its replies, authors joined in one query
 * (no N+1).
 */
@ApplicationScoped
public class CommentService {
  static final int MAX_EMOJI_LENGTH = 16;

  @Inject ShareService shares;
  @Inject Clock clock;

  /** Who may see or write the comments of a video. */
  public record Viewer(String userId, String shareCode, String sharePassword) {}

  public CommentView add(Viewer viewer, String videoId, CreateCommentRequest request) {
    requireAccess(viewer, videoId);
    String type = request.type() == null ? "text" : request.type();
    String body = request.body().strip();
    if ("emoji".equals(type) && body.length() > MAX_EMOJI_LENGTH) {
      throw new BadRequest("validation_failed", "a reaction is a single emoji");
    }
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              if (request.parentId() != null) {
                CommentEntity parent = CommentEntity.findById(request.parentId());
                if (parent == null || !parent.videoId.equals(videoId)) {
                  throw new NotFound("parent comment");
                }
                if (parent.parentId != null) {
                  throw new BadRequest(
                      "nested_reply", "reply to the top-level comment, not to a reply");
                }
              }
              CommentEntity c = new CommentEntity();
              c.videoId = videoId;
              c.userId = viewer.userId();
              c.parentId = request.parentId();
              c.type = type;
              c.body = body;
              c.timestampSeconds = request.timestampSeconds();
              c.createdAt = now();
              c.persist();
              UserEntity author = UserEntity.findById(viewer.userId());
              return view(c, Map.of(author.id, author), List.of());
            });
  }

  @ToleratesLag
  public Page<CommentView> list(Viewer viewer, String videoId, Integer limit, String cursor) {
    requireAccess(viewer, videoId);
    return page(videoId, limit, cursor);
  }

  /** Comments as anyone holding the share link sees them (the share page). */
  @ToleratesLag
  public Page<CommentView> listShared(String code, String password, Integer limit, String cursor) {
    ShareLink link = shares.unlock(code, password);
    return page(link.videoId(), limit, cursor);
  }

  /** Authors delete their own comments; the video's owner may delete any on their video. */
  public void delete(Viewer viewer, String videoId, String commentId) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              CommentEntity c = CommentEntity.findById(commentId);
              if (c == null || !c.videoId.equals(videoId)) {
                throw new NotFound("comment");
              }
              boolean author = c.userId.equals(viewer.userId());
              boolean owner = VideoEntity.findOwned(videoId, viewer.userId()).isPresent();
              if (!author && !owner) {
                throw new NotFound("comment");
              }
              c.delete();
            });
  }

  private Page<CommentView> page(String videoId, Integer limit, String cursor) {
    int size = Cursor.limit(limit);
    Cursor after = Cursor.parse(cursor);
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                Keyset.page(
                    CommentEntity.topLevelPage(videoId, after, size + 1),
                    size,
                    c -> new Cursor(c.createdAt, c.id),
                    CommentService::threads));
  }

  /** Top-level comments with their replies and authors, in two queries for the whole page. */
  private static List<CommentView> threads(List<CommentEntity> page) {
    List<CommentEntity> replies = CommentEntity.repliesTo(page.stream().map(c -> c.id).toList());
    Set<String> authorIds =
        Stream.concat(page.stream(), replies.stream())
            .map(c -> c.userId)
            .collect(Collectors.toSet());
    Map<String, UserEntity> authors =
        authorIds.isEmpty()
            ? Map.of()
            : UserEntity.<UserEntity>list("id in ?1", authorIds).stream()
                .collect(Collectors.toMap(u -> u.id, Function.identity()));
    Map<String, List<CommentEntity>> byParent =
        replies.stream().collect(Collectors.groupingBy(c -> c.parentId));
    List<CommentView> items = new ArrayList<>();
    for (CommentEntity c : page) {
      List<CommentView> thread =
          byParent.getOrDefault(c.id, List.of()).stream().map(r -> view(r, authors, null)).toList();
      items.add(view(c, authors, thread));
    }
    return items;
  }

  /** Owner, or a signed-in holder of a live share link of this very video; else 404. */
  private void requireAccess(Viewer viewer, String videoId) {
    boolean owner =
        QuarkusTransaction.requiringNew()
            .call(() -> VideoEntity.findOwned(videoId, viewer.userId()).isPresent());
    if (owner) {
      return;
    }
    if (viewer.shareCode() == null) {
      throw new NotFound("video");
    }
    ShareLink link = shares.unlock(viewer.shareCode(), viewer.sharePassword());
    if (!link.videoId().equals(videoId)) {
      throw new NotFound("video");
    }
  }

  private static CommentView view(
      CommentEntity c, Map<String, UserEntity> authors, List<CommentView> replies) {
    UserEntity u = authors.get(c.userId);
    return new CommentView(
        c.id,
        c.videoId,
        c.parentId,
        c.type,
        c.body,
        c.timestampSeconds,
        new Author(c.userId, u == null ? null : u.name),
        c.createdAt,
        replies);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
