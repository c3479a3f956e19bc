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

  /** Not published before this time: the backoff of a retried attempt. */
  @Column(name = "run_after")
  public Instant runAfter;

  /** Wire name of the {@code JobLane} whose stream carries the job. */
  public String lane;

  /** Id of the job's latest stream entry. */
  @Column(name = "stream_entry_id")
  public String streamEntryId;

  /**
   * Queued jobs to publish now: fresh ones whose publication after commit never happened (Redis
   * down, or the API died right after commit), and retried ones whose backoff is over.
   */
  public static List<JobEntity> duePublications(Instant createdBefore, Instant now, int limit) {
    return find(
            "state = ?1 and publishedAt is null"
                + " and ((runAfter is null and createdAt < ?2) or runAfter <= ?3)"
                + " order by createdAt",
            JobState.QUEUED,
            createdBefore,
            now)
        .page(0, limit)
        .list();
  }

  /** Queued jobs published before {@code before}: candidates for "Redis lost the entry". */
  public static List<JobEntity> publishedAndWaiting(Instant before, int limit) {
    return find(
            "state = ?1 and publishedAt is not null and publishedAt < ?2 order by publishedAt",
            JobState.QUEUED,
            before)
        .page(0, limit)
        .list();
  }

  /** Attempts the worker reported as failed for a reason worth retrying. */
  public static List<JobEntity> failedAttempts(int limit) {
    return find("state = ?1 order by updatedAt", JobState.FAILED).page(0, limit).list();
  }

  /** Running jobs whose worker stopped renewing the lease. */
  public static List<JobEntity> expiredLeases(Instant now, int limit) {
    return find("state = ?1 and leaseExpiresAt < ?2 order by leaseExpiresAt", JobState.RUNNING, now)
        .page(0, limit)
        .list();
  }
}
