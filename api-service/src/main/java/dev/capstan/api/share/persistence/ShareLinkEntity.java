package dev.capstan.api.share.persistence;

import dev.capstan.api.common.Cursor;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.hibernate.annotations.UuidGenerator;

@Entity
@Table(name = "share_links")
public class ShareLinkEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "video_id")
  public String videoId;

  @Column(name = "user_id")
  public String userId;

  public String code;

  @Column(name = "password_hash")
  public String passwordHash;

  @Column(name = "expires_at")
  public Instant expiresAt;

  @Column(name = "view_count")
  public long viewCount;

  @Column(name = "created_at")
  public Instant createdAt;

  public static Optional<ShareLinkEntity> findByCode(String code) {
    return find("code", code).firstResultOptional();
  }

  public static List<ShareLinkEntity> pageOf(String userId, Cursor after, int limit) {
    if (after == null) {
      return find("userId = ?1 order by createdAt desc, id desc", userId).page(0, limit).list();
    }
    return find(
            "userId = ?1 and (createdAt < ?2 or (createdAt = ?2 and id < ?3))"
                + " order by createdAt desc, id desc",
            userId,
            after.createdAt(),
            after.id())
        .page(0, limit)
        .list();
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }
}
