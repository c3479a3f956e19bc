package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.TranscodeJob;
import dev.capstan.worker.job.JobFailure;
import dev.capstan.worker.job.JobStore;
import dev.capstan.worker.job.JobStore.Claim;
import dev.capstan.worker.job.JobStore.Completion;
import dev.capstan.worker.job.JobStore.JobRef;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Runs quick jobs in batches, for work that ends well inside one lease (no heartbeat per job):
 * reads up to {@code max} entries at once ({@code XREADGROUP COUNT}), takes the leases of all of
 * them in one transaction ({@link JobStore#claimAll}), runs each job's work on the calling thread,
 * records the successes in one transaction, each still conditional on its lease ({@link
 * JobStore#recordSuccesses}), and acknowledges every entry with one {@code XACK} per lane.
 *
 * <p>Entries are treated as {@link JobConsumer} treats them: malformed ones and jobs whose video
 * cannot be processed are dead-lettered; jobs that are not ours (leased by another worker, done, of
 * another attempt) are skipped untouched; a job whose lease was lost before its commit writes
 * nothing. If the database or Redis fails mid-batch the entries stay unacknowledged, so they are
 * taken over or republished like any other entry of a stopped worker. Transcodes do not run here:
 * each runs alone on the worker's consumer thread with its lease renewed while it runs.
 */
public final class BatchConsumer {
  private static final Logger LOG = Logger.getLogger(BatchConsumer.class);

  /** The work of one job; what it returns is recorded with the job's success. */
  @FunctionalInterface
  public interface Work {
    JobStore.Success run(TranscodeJob job) throws Exception;
  }

  /** What one batch came to, per entry read. */
  public record Tally(int read, int succeeded, int skipped, int leaseLost, int failed, int dead) {}

  private final JobQueue queue;
  private final JobStore store;
  private final String consumer;
  private final Duration leaseFor;

  /**
   * @param consumer consumer name in the group and lease owner in the database
   * @param leaseFor how long the leases of a batch last; the whole batch must finish within it
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
  public Tally runOnce(Duration block, List<JobLane> order, int max, Work work)
      throws SQLException {
    List<JobQueue.Entry> entries = queue.next(consumer, block, order, max);
    if (entries.isEmpty()) {
      return new Tally(0, 0, 0, 0, 0, 0);
    }
    int skipped = 0;
    int lost = 0;
    int failed = 0;
    int dead = 0;
    List<JobQueue.Entry> wellFormed = new ArrayList<>(entries.size());
    List<TranscodeJob> jobs = new ArrayList<>(entries.size());
    for (JobQueue.Entry entry : entries) {
      try {
        jobs.add(JobConsumer.decode(entry));
        wellFormed.add(entry);
      } catch (JobMessage.MalformedJobMessage e) {
        LOG.warnf("entry %s is malformed (%s); dead-lettered", entry.id(), e.getMessage());
        queue.deadLetter(entry, "malformed: " + e.getMessage());
        dead++;
      }
    }
    List<Claim> claims =
        store.claimAll(
            jobs.stream().map(j -> new JobRef(j.jobId(), j.videoId(), j.attempt())).toList(),
            consumer,
            leaseFor);
    List<Completion> done = new ArrayList<>(jobs.size());
    for (int i = 0; i < jobs.size(); i++) {
      TranscodeJob job = jobs.get(i);
      switch (claims.get(i)) {
        case Claim.NotAvailable n -> skipped++;
        case Claim.Refused r -> {
          queue.deadLetter(wellFormed.get(i), r.why());
          dead++;
        }
        case Claim.Taken t -> {
          try {
            done.add(new Completion(t.lease(), work.run(job)));
          } catch (Exception e) {
            LOG.warnf(e, "job %s attempt %d failed", job.jobId(), job.attempt());
            if (store.recordFailure(t.lease(), JobState.FAILED, JobFailure.ofInternal(e))) {
              failed++;
            } else {
              lost++;
            }
          }
        }
      }
    }
    int succeeded = 0;
    for (boolean recorded : store.recordSuccesses(done)) {
      if (recorded) {
        succeeded++;
      } else {
        lost++;
      }
    }
    queue.ack(entries);
    return new Tally(entries.size(), succeeded, skipped, lost, failed, dead);
  }
}
