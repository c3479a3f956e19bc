package dev.capstan.api.job.persistence;

import dev.capstan.model.job.JobState;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.UuidGenerator;

/** A row of the job outbox: the source of truth for work; Redis only carries it to workers. */
@Entity
@Table(name = "jobs")
public class JobEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "video_id")
  public String videoId;

  public String kind;

  @Enumerated(EnumType.STRING)
  public JobState state;

  public int attempt;

  @Column(name = "max_attempts")
  public int maxAttempts;

  public String payload;

  @Column(name = "lease_owner")
  public String leaseOwner;

  @Column(name = "lease_expires_at")
  public Instant leaseExpiresAt;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "published_at")
  public Instant publishedAt;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  /** Queued jobs that never reached Redis (it was down, or the API died right after commit). */
  public static List<JobEntity> unpublished(Instant createdBefore, int limit) {
    return find(
            "state = ?1 and publishedAt is null and createdAt < ?2 order by createdAt",
            JobState.QUEUED,
            createdBefore)
        .page(0, limit)
        .list();
  }
}
