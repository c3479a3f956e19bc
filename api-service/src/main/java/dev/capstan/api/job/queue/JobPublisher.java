package dev.capstan.api.job.queue;

import dev.capstan.model.job.JobDescriptor;
import dev.capstan.model.job.JobLane;
import java.util.Map;

/** Port: hands a committed job to the workers' dispatch channel, and looks into that channel. */
public interface JobPublisher {

  /** Publishes the job on its lane; answers the id of the new stream entry. */
  <T> String publish(JobDescriptor<T> kind, String jobId, T payload, JobLane lane);

  /** Where a stream entry stands for the worker group. */
  enum EntryState {
    /** In the stream and not yet delivered to any worker. */
    WAITING,
    /** Delivered to a worker that has not acknowledged it (running, or to be reclaimed). */
    PENDING,
    /** Gone from the stream (Redis lost it, or it was trimmed) or acknowledged already. */
    GONE
  }

  /** Where the entry {@code entryId} of {@code lane} stands. */
  EntryState entryState(JobLane lane, String entryId);

  /** Adds an entry to the dead-letter stream for a person to look at. */
  void deadLetter(Map<String, String> fields);

  /** Cheap reachability check, for readiness. */
  void ping();
}
