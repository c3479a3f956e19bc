package dev.capstan.worker.queue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Port to the job stream: the dispatch channel only. The database row of a job is the truth; an
 * entry here just says "look at job X".
 */
public interface JobQueue {

  /** One entry of the stream, as delivered to this consumer. */
  record Entry(String id, Map<String, String> fields) {}

  /** Creates the consumer group (and the stream) if missing. Safe to call any time. */
  void ensureGroup();

  /** The next entry never delivered to the group, waiting up to {@code block}. */
  Optional<Entry> next(String consumer, Duration block);

  /**
   * Takes over up to {@code max} entries that other consumers (dead ones, usually) received but
   * left unacknowledged for at least {@code minIdle}.
   */
  List<Entry> reclaim(String consumer, Duration minIdle, int max);

  /** Marks an entry done for the group. */
  void ack(String entryId);

  /** Puts a copy of the entry on the job stream again, for another worker to take. */
  void requeue(Entry entry);

  /** Copies the entry to the dead-letter stream with the reason, for a person to look at. */
  void deadLetter(Entry entry, String reason);

  /** Cheap reachability check, for readiness. */
  void ping();
}
