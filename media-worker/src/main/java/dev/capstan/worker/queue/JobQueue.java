package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the job streams (one per lane): the dispatch channel only. The database row of a job is
 * the truth; an entry here just says "look at job X".
 */
public interface JobQueue {

  /** One entry of a lane's stream, as delivered to this consumer. */
  record Entry(JobLane lane, String id, Map<String, String> fields) {}

  /**
   * Creates the consumer group (and the stream) of every lane if missing. Safe to call any time.
   */
  void ensureGroup();

  /**
   * The next entry never delivered to the group, trying the lanes in {@code order} and waiting up
   * to {@code block} when all are empty.
   */
  Optional<Entry> next(String consumer, Duration block, List<JobLane> order);

  /**
   * Entries this consumer read but has not started (a blocking read over several lanes can return
   * more than one); they are already in its pending list.
   */
  List<Entry> takeBuffered();

  /**
   * Takes over up to {@code max} entries per lane that other consumers (dead ones, usually)
   * received but left unacknowledged for at least {@code minIdle}.
   */
  List<Entry> reclaim(String consumer, Duration minIdle, int max);

  /**
   * Says this consumer is still working on the entry (resets its idle time), so live workers'
   * entries are never taken over by {@link #reclaim}: only those of consumers that stopped.
   */
  void touch(String consumer, Entry entry);

  /** Marks an entry done for the group. */
  void ack(Entry entry);

  /** Puts a copy of the entry on its lane again, for another worker to take; the new entry id. */
  String requeue(Entry entry);

  /** Copies the entry to the dead-letter stream with the reason, for a person to look at. */
  void deadLetter(Entry entry, String reason);

  /** Cheap reachability check, for readiness. */
  void ping();
}
