package dev.capstan.worker.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Renews a lease every heartbeat while a job runs, and says when it is lost: the database answered
 * that another worker owns the job, or the lease ran out without a successful renewal (the database
 * was unreachable for a whole lease).
 */
final class LeaseKeeper implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LeaseKeeper.class);

  private final JobStore store;
  private final Lease lease;
  private final Duration leaseFor;
  private final Clock clock;
  private final ScheduledFuture<?> beat;
  private volatile Instant expiresAt;
  private volatile boolean lost;

  LeaseKeeper(
      JobStore store,
      Lease lease,
      Duration leaseFor,
      Duration every,
      Clock clock,
      ScheduledExecutorService scheduler) {
    this.store = store;
    this.lease = lease;
    this.leaseFor = leaseFor;
    this.clock = clock;
    this.expiresAt = lease.expiresAt();
    long ms = Math.max(1, every.toMillis());
    this.beat = scheduler.scheduleWithFixedDelay(this::renew, ms, ms, TimeUnit.MILLISECONDS);
  }

  boolean lost() {
    return lost || !clock.instant().isBefore(expiresAt);
  }

  private void renew() {
    if (lost) {
      return;
    }
    try {
      Optional<Instant> renewed = store.renew(lease, leaseFor);
      if (renewed.isPresent()) {
        expiresAt = renewed.get();
      } else {
        lost = true;
        LOG.warnf("lost the lease on job %s: another worker owns it now", lease.jobId());
      }
    } catch (Exception e) {
      LOG.warnf(
          e, "could not renew the lease on job %s; it expires at %s", lease.jobId(), expiresAt);
    }
  }

  @Override
  public void close() {
    beat.cancel(false);
  }
}
