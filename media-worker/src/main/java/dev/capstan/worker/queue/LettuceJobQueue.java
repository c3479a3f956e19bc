package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.redis.WorkerRedis;
import io.lettuce.core.Consumer;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.async.RedisAsyncCommands;
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
import java.util.concurrent.TimeUnit;
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
  public List<Entry> next(String consumer, Duration block, List<JobLane> order, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, was " + max);
    }
    List<Entry> out = new ArrayList<>(Math.min(max, 1024));
    while (out.size() < max && !buffered.isEmpty()) {
      out.add(buffered.poll());
    }
    for (JobLane lane : order) {
      if (out.size() >= max) {
        return out;
      }
      int want = max - out.size();
      out.addAll(withGroup(() -> read(consumer, null, List.of(lane), want)));
    }
    if (!out.isEmpty()) {
      return out;
    }
    // Every lane empty: wait on all of them at once. Entries arriving on several lanes in the same
    // instant all come back; those past max wait in the buffer (already pending for us).
    List<Entry> got = withGroup(() -> read(consumer, block, order, max));
    buffered.addAll(got.subList(Math.min(max, got.size()), got.size()));
    return new ArrayList<>(got.subList(0, Math.min(max, got.size())));
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
  private List<Entry> read(String consumer, Duration block, List<JobLane> lanes, int count) {
    XReadArgs args = XReadArgs.Builder.count(count);
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
  public void ack(List<Entry> entries) {
    Map<JobLane, List<String>> byLane = new EnumMap<>(JobLane.class);
    for (Entry e : entries) {
      byLane.computeIfAbsent(e.lane(), l -> new ArrayList<>()).add(e.id());
    }
    byLane.forEach(
        (lane, ids) ->
            redis
                .commands()
                .xack(stream(lane), QueueNames.WORKER_GROUP, ids.toArray(String[]::new)));
  }

  @Override
  public List<String> requeue(List<Entry> entries) {
    if (entries.size() == 1) {
      Entry e = entries.get(0);
      return List.of(redis.commands().xadd(stream(e.lane()), e.fields()));
    }
    RedisAsyncCommands<String, String> async = redis.async();
    List<RedisFuture<String>> sent = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      sent.add(async.xadd(stream(e.lane()), e.fields()));
    }
    List<String> ids = new ArrayList<>(sent.size());
    for (RedisFuture<String> f : sent) {
      ids.add(LettuceFutures.awaitOrCancel(f, redis.timeout().toMillis(), TimeUnit.MILLISECONDS));
    }
    return ids;
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
