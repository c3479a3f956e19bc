package dev.capstan.worker.queue;

import dev.capstan.model.job.JobKinds;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.storage.ObjectStore;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.config.WorkerIdentity;
import dev.capstan.worker.job.JobStore;
import dev.capstan.worker.job.Lease;
import dev.capstan.worker.job.TranscodeJobProcessor;
import dev.capstan.worker.job.TranscodeJobProcessor.Result;
import dev.capstan.worker.metrics.WorkerMetrics;
import dev.capstan.worker.metrics.WorkerMetrics.JobOutcome;
import dev.capstan.worker.tracing.JobTracing;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The worker's one consumer thread: reads the job stream one entry at a time (its one slot) and
 * runs each job to its end through {@link BatchConsumer}, the consume step the queue benchmark
 * measures. No entry, however broken, stops the loop. On shutdown it stops taking entries and lets
 * the running job finish within {@code quarkus.shutdown.timeout}; past that the job is handed back.
 */
@ApplicationScoped
public class JobConsumer {
  private static final Logger LOG = Logger.getLogger(JobConsumer.class);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  private static final Duration MAX_DEPENDENCY_WAIT = Duration.ofSeconds(5);
  // Part of the shutdown timeout kept for handing the job back after asking it to stop.
  private static final Duration HAND_BACK_MARGIN = Duration.ofSeconds(3);
  // Taken over per sweep at most, so a backlog of orphans never starves fresh jobs.
  private static final int RECLAIM_BATCH = 10;
  // Jobs the worker runs at once: one transcode, which uses all its cores.
  private static final int SLOTS = 1;

  private final JobQueue queue;
  private final ObjectStore objects;
  private final LaneSchedule lanes;
  private final TranscodeJobProcessor processor;
  private final WorkerMetrics metrics;
  private final WorkerConfig config;
  private final String consumerName;
  private final Duration shutdownTimeout;
  private final Clock clock;
  private final BatchConsumer batch;
  private final BatchConsumer.Work work = new Transcodes();
  private final CountDownLatch stopSignal = new CountDownLatch(1);
  @Inject JobTracing tracing;
  private final ScheduledExecutorService entryKeeper =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("entry-keeper").daemon().unstarted(r));
  private volatile boolean stopping;
  private volatile boolean handBack;
  private volatile Thread thread;

  public JobConsumer(
      JobQueue queue,
      ObjectStore objects,
      JobStore store,
      TranscodeJobProcessor processor,
      WorkerMetrics metrics,
      WorkerConfig config,
      WorkerIdentity identity,
      Clock clock,
      @ConfigProperty(name = "quarkus.shutdown.timeout") Optional<Duration> shutdownTimeout) {
    this.queue = queue;
    this.objects = objects;
    this.lanes = new LaneSchedule(config.worker().longLaneEvery());
    this.processor = processor;
    this.metrics = metrics;
    this.config = config;
    this.consumerName = identity.id();
    this.clock = clock;
    this.shutdownTimeout = shutdownTimeout.orElse(Duration.ofSeconds(30));
    this.batch = new BatchConsumer(queue, store, consumerName, config.worker().lease());
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.worker().enabled()) {
      LOG.info("consumer loop disabled (capstan.worker.enabled=false)");
      return;
    }
    Thread t = Thread.ofPlatform().name("job-consumer").unstarted(this::run);
    thread = t;
    t.start();
    LOG.infof(
        "worker %s consuming %s and %s as group %s",
        consumerName,
        QueueNames.jobStream(config.redis().namespace(), JobLane.SHORT),
        QueueNames.jobStream(config.redis().namespace(), JobLane.LONG),
        QueueNames.WORKER_GROUP);
  }

  void onStop(@Observes ShutdownEvent event) {
    Thread t = thread;
    stopping = true;
    stopSignal.countDown();
    if (t == null) {
      return;
    }
    try {
      Duration drain = shutdownTimeout.minus(HAND_BACK_MARGIN);
      t.join(Math.max(1, drain.toMillis()));
      if (t.isAlive()) {
        LOG.warn("shutdown: the running job did not finish in time; handing it back");
        handBack = true;
        t.join(HAND_BACK_MARGIN.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** True while the loop runs (or it is switched off on purpose): the liveness of a worker. */
  public boolean healthy() {
    Thread t = thread;
    return !config.worker().enabled() || stopping || (t != null && t.isAlive());
  }

  private void run() {
    boolean groupReady = false;
    Duration backoff = Duration.ofMillis(500);
    Duration reclaimIdle = config.worker().reclaimIdle();
    Duration sweepEvery = reclaimIdle.dividedBy(2);
    Instant nextSweep = clock.instant();
    while (!stopping) {
      try {
        if (!groupReady) {
          queue.ensureGroup();
          groupReady = true;
        }
        if (!clock.instant().isBefore(nextSweep)) {
          nextSweep = clock.instant().plus(sweepEvery);
          for (JobQueue.Entry orphan : queue.reclaim(consumerName, reclaimIdle, RECLAIM_BATCH)) {
            if (stopping) {
              break;
            }
            LOG.infof("took over entry %s left unacknowledged by another consumer", orphan.id());
            handle(List.of(orphan));
          }
        }
        // As many entries as the worker has free slots: one, a transcode at a time.
        List<JobQueue.Entry> entries =
            queue.next(consumerName, config.worker().block(), lanes.order(), SLOTS);
        entries.forEach(e -> lanes.taken(e.lane()));
        if (stopping) {
          // Read just as shutdown began: pass them on to a live worker untouched.
          batch.passOn(entries);
        } else {
          handle(entries);
        }
        backoff = Duration.ofMillis(500);
      } catch (Throwable e) {
        if (e instanceof VirtualMachineError vme) {
          throw vme;
        }
        LOG.errorf(e, "consumer loop error; retrying in %d ms", backoff.toMillis());
        pause(backoff);
        backoff =
            backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                ? MAX_BACKOFF
                : backoff.multipliedBy(2);
      }
    }
    try {
      batch.passOn(queue.takeBuffered());
    } catch (RuntimeException e) {
      // Still pending for us: another worker takes them over once idle long enough.
      LOG.warnf("could not pass on the entries read but not started: %s", e.getMessage());
    }
    entryKeeper.shutdownNow();
    LOG.info("consumer loop stopped");
  }

  private void handle(List<JobQueue.Entry> entries) throws SQLException {
    for (BatchConsumer.Handled h : batch.handle(entries, work)) {
      switch (h.outcome()) {
        case SUCCEEDED -> finished(JobOutcome.SUCCEEDED, h.took());
        case FAILED -> {
          finished(JobOutcome.FAILED, h.took());
          metrics.failure(h.result().failure().reason());
          // Most often S3 or the database went away: take nothing more until they answer again,
          // rather than burn the next attempts of this and other jobs on the same outage.
          awaitObjectStore();
        }
        case DEAD -> {
          if (h.job() == null) {
            metrics.job(JobOutcome.DEAD_LETTER);
          } else {
            finished(JobOutcome.DEAD_LETTER, h.took());
            metrics.failure(h.result().failure().reason());
          }
        }
        // A flow's parent: its chunk jobs carry the work on; the last one finishes it.
        case WAITING -> metrics.job(JobOutcome.SUCCEEDED);
        case SKIPPED -> {
          LOG.infof(
              "job %s attempt %d (entry %s): not ours to run (leased by another worker or already"
                  + " done); skipped",
              h.job().jobId(), h.job().attempt(), h.entry().id());
          metrics.job(JobOutcome.SKIPPED);
        }
        case LEASE_LOST -> finished(JobOutcome.LEASE_LOST, h.took());
        case HANDED_BACK -> finished(JobOutcome.HANDED_BACK, h.took());
      }
    }
  }

  /** The worker's jobs: transcodes (and flows' chunks), each traced, its entry kept claimed. */
  private final class Transcodes implements BatchConsumer.Work {
    @Override
    public BatchConsumer.Done run(JobQueue.Entry entry, TranscodeJob job, Lease lease)
        throws SQLException {
      return new BatchConsumer.Done.Ended(
          traced(entry, job, () -> processor.runTaken(job, entry.lane(), lease, () -> handBack)));
    }

    @Override
    public Optional<Result> runOutsideBatch(JobQueue.Entry entry, TranscodeJob job)
        throws SQLException {
      if (!job.isChunk()) {
        return Optional.empty();
      }
      return Optional.of(
          traced(
              entry,
              job,
              () ->
                  processor
                      .processChunk(job, entry.lane(), consumerName, () -> handBack)
                      .orElseThrow()));
    }

    @Override
    public void refused(TranscodeJob job, String why) {
      processor.refused(job, why);
    }

    private Result traced(JobQueue.Entry entry, TranscodeJob job, JobTracing.Work<Result> work)
        throws SQLException {
      ScheduledFuture<?> keepEntry = keepClaimed(entry);
      try {
        return tracing.run(job, entry.lane(), r -> r.outcome().name(), work);
      } catch (SQLException | RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      } finally {
        keepEntry.cancel(false);
      }
    }
  }

  /**
   * Touches the entry every heartbeat while its job runs, so no other worker's {@code XAUTOCLAIM}
   * mistakes a long transcode for a dead consumer's leftover.
   */
  private ScheduledFuture<?> keepClaimed(JobQueue.Entry entry) {
    long every = Math.max(1, config.worker().heartbeat().toMillis());
    return entryKeeper.scheduleWithFixedDelay(
        () -> {
          try {
            queue.touch(consumerName, entry);
          } catch (RuntimeException e) {
            // Redis away: at worst another worker takes the entry over and the claim turns it away.
            LOG.debugf("could not touch entry %s: %s", entry.id(), e.getMessage());
          }
        },
        every,
        every,
        TimeUnit.MILLISECONDS);
  }

  private void finished(JobOutcome outcome, Duration took) {
    metrics.job(outcome);
    metrics.finished(outcome, took);
  }

  /**
   * Waits, with growing pauses, until the object store answers (or the worker stops). Entries stay
   * in the stream meanwhile, free for any worker that can reach its store.
   */
  private void awaitObjectStore() {
    Duration wait = Duration.ofMillis(250);
    Instant since = clock.instant();
    while (!stopping) {
      try {
        objects.ping();
        if (Duration.between(since, clock.instant()).toMillis() > 1000) {
          LOG.infof(
              "object store answers again after %d ms; taking jobs",
              Duration.between(since, clock.instant()).toMillis());
        }
        return;
      } catch (RuntimeException e) {
        LOG.warnf(
            "not taking jobs, the object store does not answer (%s); again in %d ms",
            e.getMessage(), wait.toMillis());
        pause(wait);
        wait =
            wait.multipliedBy(2).compareTo(MAX_DEPENDENCY_WAIT) > 0
                ? MAX_DEPENDENCY_WAIT
                : wait.multipliedBy(2);
      }
    }
  }

  /**
   * The entry's job, checked for what every job needs; {@link JobMessage.MalformedJobMessage} if
   * not.
   */
  static TranscodeJob decode(JobQueue.Entry entry) {
    TranscodeJob job = JobMessage.decode(JobKinds.TRANSCODE, entry.fields());
    String jobId = entry.fields().get(JobMessage.FIELD_JOB_ID);
    if (job.jobId() == null || job.videoId() == null || job.attempt() < 1) {
      throw new JobMessage.MalformedJobMessage("payload lacks jobId, videoId or attempt");
    }
    if (!job.jobId().equals(jobId)) {
      throw new JobMessage.MalformedJobMessage(
          "jobId field " + jobId + " differs from the payload's " + job.jobId());
    }
    return job;
  }

  private void pause(Duration d) {
    try {
      stopSignal.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopping = true;
    }
  }
}
