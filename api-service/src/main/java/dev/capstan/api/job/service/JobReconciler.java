package dev.capstan.api.job.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.job.persistence.JobEntity;
import dev.capstan.api.job.queue.JobPublisher;
import dev.capstan.api.job.queue.JobPublisher.EntryState;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;

/**
 * Keeps MySQL (the truth) and Redis (the dispatch channel) in step. Exactly one API instance sweeps
 * at a time: the one that gets the Redisson lock (its watchdog keeps it while the sweep runs, and
 * frees it if the instance dies). Every write it makes is conditional, so even two sweeps at once
 * (Redis lost the lock) do no harm: the worst case is a job published twice, and the lease makes
 * the second entry a no-op.
 *
 * <p>Each sweep: failed attempts and expired leases go through {@link JobRetries}; queued jobs that
 * are due and were never published (or whose backoff is over) are published; queued jobs whose
 * entry Redis no longer has (restarted empty, flushed) or already acknowledged are published again.
 */
@ApplicationScoped
public class JobReconciler {
  private static final int BATCH = 200;

  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject RedissonClient redisson;
  @Inject JobPublisher publisher;
  @Inject JobDispatcher dispatcher;
  @Inject JobRetries retries;
  @Inject MeterRegistry metrics;

  @Scheduled(
      every = "${capstan.jobs.republish-every}",
      delayed = "2s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void sweep() {
    RLock lock = redisson.getLock(QueueNames.reconcilerLock(config.redis().namespace()));
    boolean held;
    try {
      held = lock.tryLock();
    } catch (RuntimeException e) {
      // Redis down: nothing can be published anyway; the next sweep tries again.
      Log.debugf("reconciler lock unavailable: %s", e.getMessage());
      return;
    }
    if (!held) {
      return;
    }
    try {
      reconcile();
    } finally {
      try {
        lock.unlock();
      } catch (RuntimeException e) {
        Log.debugf("reconciler lock not released (it expires): %s", e.getMessage());
      }
    }
  }

  /** One full pass; public for tests that cannot wait for the schedule. */
  public void reconcile() {
    Instant now = now();
    ids(() -> JobEntity.failedAttempts(BATCH)).forEach(retries::afterFailedAttempt);
    ids(() -> JobEntity.expiredLeases(now, BATCH)).forEach(retries::afterExpiredLease);
    Instant grace = now.minus(config.jobs().republishAfter());
    ids(() -> JobEntity.duePublications(grace, now(), BATCH)).forEach(dispatcher::publish);
    for (JobEntity job :
        QuarkusTransaction.requiringNew().call(() -> JobEntity.publishedAndWaiting(grace, BATCH))) {
      republishIfLost(job);
    }
  }

  private void republishIfLost(JobEntity job) {
    try {
      EntryState state =
          job.streamEntryId == null
              ? EntryState.GONE
              : publisher.entryState(JobLane.fromWire(job.lane), job.streamEntryId);
      if (state == EntryState.GONE) {
        Log.infof("job %s: stream entry %s is gone; publishing again", job.id, job.streamEntryId);
        metrics.counter("capstan.jobs.republished").increment();
        dispatcher.publish(job.id);
      }
    } catch (RuntimeException e) {
      Log.debugf(e, "job %s: could not check its stream entry", job.id);
    }
  }

  private static List<String> ids(java.util.function.Supplier<List<JobEntity>> query) {
    return QuarkusTransaction.requiringNew()
        .call(() -> query.get().stream().map(j -> j.id).toList());
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
