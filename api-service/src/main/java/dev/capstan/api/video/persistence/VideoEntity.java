package dev.capstan.api.video.persistence;

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
@Table(name = "videos")
public class VideoEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "user_id")
  public String userId;

  public String title;

  public String description;

  /** Wire name of a {@code VideoStatus}; the worker writes the same strings. */
  public String status;

  @Column(name = "source_key")
  public String sourceKey;

  @Column(name = "source_size_bytes")
  public Long sourceSizeBytes;

  @Column(name = "source_content_type")
  public String sourceContentType;

  @Column(name = "output_prefix")
  public String outputPrefix;

  @Column(name = "duration_seconds")
  public Double durationSeconds;

  public Integer width;

  public Integer height;

  public Double fps;

  @Column(name = "has_audio")
  public Boolean hasAudio;

  @Column(name = "progress_percent")
  public int progressPercent;

  @Column(name = "progress_stage")
  public String progressStage;

  @Column(name = "progress_eta_seconds")
  public Double progressEtaSeconds;

  @Column(name = "error_code")
  public String errorCode;

  @Column(name = "error_message")
  public String errorMessage;

  /** Multipart upload in progress (direct to S3), if any. */
  @Column(name = "upload_id")
  public String uploadId;

  @Column(name = "upload_size_bytes")
  public Long uploadSizeBytes;

  @Column(name = "upload_part_bytes")
  public Long uploadPartBytes;

  @Column(name = "upload_started_at")
  public Instant uploadStartedAt;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  /** One keyset page of a user's videos, newest first (index idx_videos_user_id). */
  public static List<VideoEntity> pageOf(String userId, Cursor after, int limit) {
    Keyset.Query q = Keyset.query("userId = ?1", userId, after, Keyset.Order.NEWEST_FIRST);
    return find(q.hql(), q.params()).page(0, limit).list();
  }

  /** Direct uploads started before {@code before} and never completed. */
  public static List<VideoEntity> abandonedUploads(Instant before, int limit) {
    return find("uploadId is not null and uploadStartedAt < ?1", before).page(0, limit).list();
  }

  public static Optional<VideoEntity> findOwned(String id, String userId) {
    return find("id = ?1 and userId = ?2", id, userId).firstResultOptional();
  }
}
