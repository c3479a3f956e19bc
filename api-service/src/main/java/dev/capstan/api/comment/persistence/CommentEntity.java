package dev.capstan.api.comment.persistence;

import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.UuidGenerator;

@Entity
@Table(name = "comments")
public class CommentEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "video_id")
  public String videoId;

  @Column(name = "user_id")
  public String userId;

  @Column(name = "parent_id")
  public String parentId;

  public String type;

  public String body;

  @Column(name = "timestamp_seconds")
  public Double timestampSeconds;

  @Column(name = "created_at")
  public Instant createdAt;

  /** Top-level comments of a video, oldest first, one keyset page (idx_comments_video_id). */
  public static List<CommentEntity> topLevelPage(String videoId, Cursor after, int limit) {
    Keyset.Query q =
        Keyset.query(
            "videoId = ?1 and parentId is null", videoId, after, Keyset.Order.OLDEST_FIRST);
    return find(q.hql(), q.params()).page(0, limit).list();
  }

  /** Replies to the given comments, in one query. */
  public static List<CommentEntity> repliesTo(List<String> parentIds) {
    if (parentIds.isEmpty()) {
      return List.of();
    }
    return list("parentId in ?1 order by createdAt, id", parentIds);
  }
}
