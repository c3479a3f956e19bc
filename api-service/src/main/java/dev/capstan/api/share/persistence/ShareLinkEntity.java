package dev.capstan.api.share.persistence;

import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
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
    Keyset.Query q = Keyset.query("userId = ?1", userId, after, Keyset.Order.NEWEST_FIRST);
    return find(q.hql(), q.params()).page(0, limit).list();
  }

  public boolean expiredAt(Instant now) {
    return expiresAt != null && !expiresAt.isAfter(now);
  }
}
