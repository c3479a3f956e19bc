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
  default Optional<Entry> next(String consumer, Duration block, List<JobLane> order) {
    return next(consumer, block, order, 1).stream().findFirst();
  }

  /**
   * Up to {@code max} entries never delivered to the group ({@code XREADGROUP COUNT}): from the
   * first lane of {@code order} that has any, topped up from the next ones; waiting up to {@code
   * block} when all are empty. All of them are in this consumer's pending list until acknowledged.
   */
  List<Entry> next(String consumer, Duration block, List<JobLane> order, int max);

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
  default void ack(Entry entry) {
    ack(List.of(entry));
  }

  /** Marks entries done for the group: one {@code XACK} per lane. */
  void ack(List<Entry> entries);

  /** Puts a copy of the entry on its lane again, for another worker to take; the new entry id. */
  default String requeue(Entry entry) {
    return requeue(List.of(entry)).get(0);
  }

  /**
   * Adds the entries to their lanes (their ids are ignored), sent as one pipeline; the new entry
   * ids, in order. This is also how a batch of freshly queued jobs is published.
   */
  List<String> requeue(List<Entry> entries);

  /** Copies the entry to the dead-letter stream with the reason, for a person to look at. */
  void deadLetter(Entry entry, String reason);

  /** Cheap reachability check, for readiness. */
  void ping();
}
