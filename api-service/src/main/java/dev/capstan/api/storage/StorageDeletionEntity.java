package dev.capstan.api.storage;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** An S3 prefix whose objects must go; written in the transaction that deleted their rows. */
@Entity
@Table(name = "storage_deletions")
public class StorageDeletionEntity extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  public String prefix;

  @Column(name = "run_after")
  public Instant runAfter;

  /** A second pass catches files a worker was still writing when the video was deleted. */
  @Column(name = "passes_left")
  public int passesLeft;

  public int attempts;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "created_at")
  public Instant createdAt;

  public static List<StorageDeletionEntity> due(Instant now, int limit) {
    return find("runAfter <= ?1 order by runAfter", now).page(0, limit).list();
  }
}
