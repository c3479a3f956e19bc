package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.redis.WorkerRedis;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.models.stream.ClaimedMessages;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** {@link JobQueue} on one Redis stream per lane and a consumer group, through Lettuce. */
@ApplicationScoped
public class LettuceJobQueue implements JobQueue {
  /** Field added to dead-lettered entries. */
  public static final String FIELD_REASON = QueueNames.DEAD_LETTER_REASON;

  /** Field added to dead-lettered entries: the id the entry had on the job stream. */
  public static final String FIELD_ORIGINAL_ID = QueueNames.DEAD_LETTER_ORIGINAL_ID;

  /** Field added to dead-lettered entries: the lane the entry came from. */
  public static final String FIELD_LANE = "lane";

  private final WorkerRedis redis;
  private final Map<JobLane, String> streams = new EnumMap<>(JobLane.class);
  private final String deadLetterStream;
  // Touched by the consumer thread only.
  private final Deque<Entry> buffered = new ArrayDeque<>();

  @Inject
  public LettuceJobQueue(WorkerRedis redis, WorkerConfig config) {
    this.redis = redis;
    for (JobLane lane : JobLane.values()) {
      streams.put(lane, QueueNames.jobStream(config.redis().namespace(), lane));
    }
    this.deadLetterStream = QueueNames.deadLetterStream(config.redis().namespace());
  }

  public String stream(JobLane lane) {
    return streams.get(lane);
  }

  public String deadLetterStream() {
    return deadLetterStream;
  }

  @Override
  public void ensureGroup() {
    for (String stream : streams.values()) {
      try {
        redis
            .commands()
            .xgroupCreate(
                StreamOffset.from(stream, "0-0"),
                QueueNames.WORKER_GROUP,
                XGroupCreateArgs.Builder.mkstream());
      } catch (RedisBusyException e) {
        // BUSYGROUP: another worker, the API or an earlier start created it.
      }
    }
  }

  @Override
  public Optional<Entry> next(String consumer, Duration block, List<JobLane> order) {
    if (!buffered.isEmpty()) {
      return Optional.of(buffered.poll());
    }
    for (JobLane lane : order) {
      List<Entry> got = withGroup(() -> read(consumer, null, List.of(lane)));
      if (!got.isEmpty()) {
        buffered.addAll(got.subList(1, got.size()));
        return Optional.of(got.get(0));
      }
    }
    // Every lane empty: wait on all of them at once. Entries arriving on two lanes in the same
    // instant both come back; the second waits in the buffer (already pending for us).
    List<Entry> got = withGroup(() -> read(consumer, block, order));
    if (got.isEmpty()) {
      return Optional.empty();
    }
    buffered.addAll(got.subList(1, got.size()));
    return Optional.of(got.get(0));
  }

  @Override
  public List<Entry> takeBuffered() {
    List<Entry> out = new ArrayList<>(buffered);
    buffered.clear();
    return out;
  }

  private List<Entry> withGroup(Supplier<List<Entry>> read) {
    try {
      return read.get();
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOGROUP")) {
        throw e;
      }
      // Redis lost the group (restarted empty, or flushed): make it again and read once more.
      ensureGroup();
      return read.get();
    }
  }

  @SuppressWarnings("unchecked") // generic varargs of StreamOffset
  private List<Entry> read(String consumer, Duration block, List<JobLane> lanes) {
    XReadArgs args = XReadArgs.Builder.count(1);
    if (block != null) {
      args.block(block);
    }
    StreamOffset<String>[] offsets =
        lanes.stream().map(l -> StreamOffset.lastConsumed(stream(l))).toArray(StreamOffset[]::new);
    List<StreamMessage<String, String>> messages =
        (block == null ? redis.commands() : redis.blocking())
            .xreadgroup(Consumer.from(QueueNames.WORKER_GROUP, consumer), args, offsets);
    if (messages == null) {
      return List.of();
    }
    List<Entry> out = new ArrayList<>();
    for (JobLane lane : lanes) {
      for (StreamMessage<String, String> m : messages) {
        if (stream(lane).equals(m.getStream()) && m.getBody() != null) {
          out.add(new Entry(lane, m.getId(), Map.copyOf(m.getBody())));
        }
      }
    }
    return out;
  }

  @Override
  public List<Entry> reclaim(String consumer, Duration minIdle, int max) {
    List<Entry> out = new ArrayList<>();
    for (JobLane lane : JobLane.values()) {
      ClaimedMessages<String, String> claimed;
      try {
        claimed =
            redis
                .commands()
                .xautoclaim(
                    stream(lane),
                    XAutoClaimArgs.Builder.xautoclaim(
                            Consumer.from(QueueNames.WORKER_GROUP, consumer), minIdle, "0-0")
                        .count(max));
      } catch (RedisCommandExecutionException e) {
        if (e.getMessage() != null && e.getMessage().startsWith("NOGROUP")) {
          ensureGroup();
          continue;
        }
        throw e;
      }
      claimed.getMessages().stream()
          // Entries deleted from the stream while pending come back without a body.
          .filter(m -> m.getBody() != null && !m.getBody().isEmpty())
          .map(m -> new Entry(lane, m.getId(), Map.copyOf(m.getBody())))
          .forEach(out::add);
    }
    return out;
  }

  @Override
  public void touch(String consumer, Entry entry) {
    // XCLAIM to ourselves with no minimum idle time: the idle clock restarts, nothing else changes.
    redis
        .commands()
        .xclaim(
            stream(entry.lane()),
            Consumer.from(QueueNames.WORKER_GROUP, consumer),
            XClaimArgs.Builder.justid(),
            entry.id());
  }

  @Override
  public void ack(Entry entry) {
    redis.commands().xack(stream(entry.lane()), QueueNames.WORKER_GROUP, entry.id());
  }

  @Override
  public String requeue(Entry entry) {
    return redis.commands().xadd(stream(entry.lane()), entry.fields());
  }

  @Override
  public void deadLetter(Entry entry, String reason) {
    Map<String, String> fields = new LinkedHashMap<>(entry.fields());
    fields.put(FIELD_REASON, reason);
    fields.put(FIELD_ORIGINAL_ID, entry.id());
    fields.put(FIELD_LANE, entry.lane().wireName());
    redis.commands().xadd(deadLetterStream, fields);
  }

  @Override
  public void ping() {
    String reply = redis.commands().ping();
    if (!"PONG".equals(reply)) {
      throw new IllegalStateException("Redis answered " + reply + " to PING");
    }
  }
}
