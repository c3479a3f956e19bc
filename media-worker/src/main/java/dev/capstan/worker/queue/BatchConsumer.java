package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.model.video.FailureReason;
import dev.capstan.worker.job.JobFailure;
import dev.capstan.worker.job.JobStore;
import dev.capstan.worker.job.JobStore.Claim;
import dev.capstan.worker.job.JobStore.Completion;
import dev.capstan.worker.job.JobStore.JobRef;
import dev.capstan.worker.job.JobStore.Publication;
import dev.capstan.worker.job.Lease;
import dev.capstan.worker.job.TranscodeJobProcessor.Outcome;
import dev.capstan.worker.job.TranscodeJobProcessor.Result;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The worker's consume step, for one entry or many read together: reads up to {@code max} entries
 * ({@code XREADGROUP COUNT}), takes the leases of all their jobs in one transaction ({@link
 * JobStore#claimAll}), runs each job's work on the calling thread, records the successes the work
 * hands back in one transaction, each still conditional on its lease ({@link
 * JobStore#recordSuccesses}), dead-letters what must be, passes handed-back jobs on to live
 * workers, and acknowledges every entry with one {@code XACK} per lane.
 *
 * <p>{@link JobConsumer} runs every entry through here, one at a time (a transcode holds the
 * worker's one slot and its lease is renewed while it runs; claiming more than can run would let
 * their leases lapse); the queue benchmark runs no-op jobs through the same step in batches.
 *
 * <p>Malformed entries and jobs whose video cannot be processed are dead-lettered; jobs that are
 * not ours (leased by another worker, done, of another attempt) are skipped untouched; a job whose
 * lease was lost before its commit writes nothing. If the database or Redis fails mid-batch the
 * entries stay unacknowledged, so they are taken over or republished like any other entry of a
 * stopped worker.
 */
public final class BatchConsumer {
  private static final Logger LOG = Logger.getLogger(BatchConsumer.class);

  /** What the work of one job came to. */
  public sealed interface Done {
    /** The job succeeded; recorded with the batch's other successes, under its lease. */
    record Succeeded(JobStore.Success success) implements Done {}

    /** The work recorded the job's end itself (or nothing, when it lost the lease). */
    record Ended(Result result) implements Done {}
  }

  /** The work of the jobs. */
  public interface Work {
    /** Runs a job whose lease this step took. */
    Done run(JobQueue.Entry entry, TranscodeJob job, Lease lease) throws Exception;

    /**
     * Runs a job that is not claimed with the batch because the work takes it itself (a flow's
     * chunk job); empty for jobs the batch claims (all, by default).
     */
    default Optional<Result> runOutsideBatch(JobQueue.Entry entry, TranscodeJob job)
        throws SQLException {
      return Optional.empty();
    }

    /** The job's video cannot be processed, so its claim made the job dead. */
    default void refused(TranscodeJob job, String why) {}
  }

  /**
   * How one entry ended for this worker.
   *
   * @param job null when the entry was malformed
   * @param took how long its work ran (zero when it did not run)
   */
  public record Handled(JobQueue.Entry entry, TranscodeJob job, Result result, Duration took) {
    public Outcome outcome() {
      return result.outcome();
    }
  }

  private final JobQueue queue;
  private final JobStore store;
  private final String consumer;
  private final Duration leaseFor;

  /**
   * @param consumer consumer name in the group and lease owner in the database
   * @param leaseFor how long the leases of a batch last; work that outlasts it must renew them
   */
  public BatchConsumer(JobQueue queue, JobStore store, String consumer, Duration leaseFor) {
    this.queue = queue;
    this.store = store;
    this.consumer = consumer;
    this.leaseFor = leaseFor;
  }

  /**
   * Reads up to {@code max} entries (waiting up to {@code block} when every lane is empty) and runs
   * them as one batch.
   */
  public List<Handled> runOnce(Duration block, List<JobLane> order, int max, Work work)
      throws SQLException {
    return handle(queue.next(consumer, block, order, max), work);
  }

  /** Runs entries already read (or taken over) by this consumer as one batch. */
  public List<Handled> handle(List<JobQueue.Entry> entries, Work work) throws SQLException {
    if (entries.isEmpty()) {
      return List.of();
    }
    List<Handled> out = new ArrayList<>(entries.size());
    List<JobQueue.Entry> toClaim = new ArrayList<>(entries.size());
    List<TranscodeJob> jobs = new ArrayList<>(entries.size());
    for (JobQueue.Entry entry : entries) {
      TranscodeJob job;
      try {
        job = JobConsumer.decode(entry);
      } catch (JobMessage.MalformedJobMessage e) {
        LOG.warnf("entry %s is malformed (%s); dead-lettered", entry.id(), e.getMessage());
        String why = "malformed: " + e.getMessage();
        out.add(dead(entry, null, new JobFailure(FailureReason.INTERNAL, why, why), Duration.ZERO));
        continue;
      }
      long started = System.nanoTime();
      Optional<Result> outside = work.runOutsideBatch(entry, job);
      if (outside.isPresent()) {
        out.add(new Handled(entry, job, outside.get(), since(started)));
      } else {
        toClaim.add(entry);
        jobs.add(job);
      }
    }
    List<Claim> claims =
        store.claimAll(
            jobs.stream().map(j -> new JobRef(j.jobId(), j.videoId(), j.attempt())).toList(),
            consumer,
            leaseFor);
    List<Completion> completions = new ArrayList<>();
    List<Handled> completed = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      JobQueue.Entry entry = toClaim.get(i);
      TranscodeJob job = jobs.get(i);
      switch (claims.get(i)) {
        case Claim.NotAvailable n ->
            out.add(new Handled(entry, job, new Result(Outcome.SKIPPED, null), Duration.ZERO));
        case Claim.Refused r -> {
          work.refused(job, r.why());
          out.add(
              dead(
                  entry,
                  job,
                  new JobFailure(FailureReason.INTERNAL, r.why(), r.why()),
                  Duration.ZERO));
        }
        case Claim.Taken t -> {
          long started = System.nanoTime();
          Result result;
          try {
            switch (work.run(entry, job, t.lease())) {
              case Done.Succeeded s -> {
                completions.add(new Completion(t.lease(), s.success()));
                completed.add(new Handled(entry, job, null, since(started)));
                continue;
              }
              case Done.Ended e -> result = e.result();
            }
          } catch (Exception e) {
            LOG.warnf(e, "job %s attempt %d failed", job.jobId(), job.attempt());
            JobFailure failure = JobFailure.ofInternal(e);
            result =
                store.recordFailure(t.lease(), JobState.FAILED, failure)
                    ? new Result(Outcome.FAILED, failure)
                    : new Result(Outcome.LEASE_LOST, null);
          }
          out.add(new Handled(entry, job, result, since(started)));
        }
      }
    }
    List<Boolean> recorded = store.recordSuccesses(completions);
    for (int i = 0; i < completed.size(); i++) {
      Handled h = completed.get(i);
      out.add(
          new Handled(
              h.entry(),
              h.job(),
              new Result(recorded.get(i) ? Outcome.SUCCEEDED : Outcome.LEASE_LOST, null),
              h.took()));
    }
    finish(out);
    return out;
  }

  /**
   * Gives entries this worker will not run to live workers: fresh copies on their lanes (one
   * pipeline), then the acks, then the bookkeeping of the new entries.
   */
  public void passOn(List<JobQueue.Entry> entries) {
    if (entries.isEmpty()) {
      return;
    }
    List<String> copies = queue.requeue(entries);
    queue.ack(entries);
    recordCopies(entries, copies);
  }

  private void finish(List<Handled> handled) {
    List<JobQueue.Entry> handedBack = new ArrayList<>();
    for (Handled h : handled) {
      switch (h.outcome()) {
        case DEAD -> queue.deadLetter(h.entry(), h.result().failure().technicalDetail());
        // A fresh entry so a live worker takes the job now, not when a reconciler notices.
        case HANDED_BACK -> handedBack.add(h.entry());
        default -> {}
      }
    }
    List<String> copies = handedBack.isEmpty() ? List.of() : queue.requeue(handedBack);
    queue.ack(handled.stream().map(Handled::entry).toList());
    recordCopies(handedBack, copies);
  }

  private void recordCopies(List<JobQueue.Entry> entries, List<String> copies) {
    List<Publication> published = new ArrayList<>(entries.size());
    for (int i = 0; i < entries.size(); i++) {
      try {
        TranscodeJob job = JobConsumer.decode(entries.get(i));
        published.add(new Publication(job.jobId(), job.attempt(), copies.get(i)));
      } catch (JobMessage.MalformedJobMessage e) {
        LOG.debugf("entry %s passed on as %s", entries.get(i).id(), copies.get(i));
      }
    }
    try {
      store.recordPublished(published);
    } catch (SQLException | RuntimeException e) {
      // Only bookkeeping for the reconciler; at worst it publishes the jobs once more.
      LOG.debugf(e, "%d entries passed on without recording them", published.size());
    }
  }

  private static Handled dead(
      JobQueue.Entry entry, TranscodeJob job, JobFailure failure, Duration took) {
    return new Handled(entry, job, new Result(Outcome.DEAD, failure), took);
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}
