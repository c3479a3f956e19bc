package dev.capstan.api.storage;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.storage.ObjectStore;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Removes deleted videos' objects from S3 after the fact, reliably: the intent is a row written
 * with the delete; this sweep works it off, retrying with backoff until the store takes it.
 */
@ApplicationScoped
public class StorageDeletions {
  @Inject ObjectStore store;
  @Inject ApiConfig config;
  @Inject Clock clock;

  /** Records that {@code prefix} must go. Call inside the transaction that deletes its rows. */
  public void schedule(String prefix) {
    StorageDeletionEntity d = new StorageDeletionEntity();
    d.prefix = prefix;
    d.createdAt = now();
    d.runAfter = d.createdAt;
    d.passesLeft = 2;
    d.persist();
  }

  @Scheduled(
      every = "${capstan.storage.deletion-sweep-every}",
      delayed = "3s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweep() {
    List<Long> due =
        QuarkusTransaction.requiringNew()
            .call(() -> StorageDeletionEntity.due(now(), 50).stream().map(d -> d.id).toList());
    due.forEach(this::work);
  }

  private void work(Long id) {
    StorageDeletionEntity d =
        QuarkusTransaction.requiringNew().call(() -> StorageDeletionEntity.findById(id));
    if (d == null) {
      return;
    }
    try {
      int removed = store.deletePrefix(d.prefix);
      Log.debugf("removed %d objects under %s", removed, d.prefix);
      QuarkusTransaction.requiringNew().run(() -> afterPass(id));
    } catch (RuntimeException e) {
      QuarkusTransaction.requiringNew().run(() -> afterFailure(id, e));
    }
  }

  private void afterPass(Long id) {
    StorageDeletionEntity d = StorageDeletionEntity.findById(id);
    if (d.passesLeft <= 1) {
      d.delete();
    } else {
      d.passesLeft--;
      d.runAfter = now().plus(config.storage().deletionSecondPassAfter());
    }
  }

  private void afterFailure(Long id, RuntimeException e) {
    StorageDeletionEntity d = StorageDeletionEntity.findById(id);
    d.attempts++;
    d.lastError = String.valueOf(e.getMessage());
    long backoffSeconds = Math.min(3600, 5L << Math.min(d.attempts, 10));
    d.runAfter = now().plus(Duration.ofSeconds(backoffSeconds));
    Log.warnf("could not delete %s yet (attempt %d): %s", d.prefix, d.attempts, e.getMessage());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
