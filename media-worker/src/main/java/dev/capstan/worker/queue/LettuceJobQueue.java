package dev.capstan.worker.queue;

import dev.capstan.model.job.QueueNames;
import dev.capstan.worker.config.WorkerConfig;
import io.lettuce.core.Consumer;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAutoClaimArgs;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XReadArgs.StreamOffset;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.models.stream.ClaimedMessages;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link JobQueue} on a Redis stream and consumer group, through Lettuce. */
@ApplicationScoped
public class LettuceJobQueue implements JobQueue {
  /** Field added to dead-lettered entries. */
  public static final String FIELD_REASON = "reason";

  /** Field added to dead-lettered entries: the id the entry had on the job stream. */
  public static final String FIELD_ORIGINAL_ID = "originalId";

  private final RedisClient client;
  private final String stream;
  private final String deadLetterStream;
  private final Object connectLock = new Object();

  // Blocking reads hold their connection for up to a block period; everything else uses the
  // other one, so health checks and acks never queue behind a read.
  private volatile StatefulRedisConnection<String, String> readConnection;
  private volatile StatefulRedisConnection<String, String> commandConnection;

  @Inject
  public LettuceJobQueue(WorkerConfig config) {
    RedisURI uri = RedisURI.create(config.redis().url());
    Duration block = config.worker().block();
    uri.setTimeout(block.plusSeconds(5));
    this.client = RedisClient.create(uri);
    this.stream = QueueNames.jobStream(config.redis().namespace());
    this.deadLetterStream = QueueNames.deadLetterStream(config.redis().namespace());
  }

  public String stream() {
    return stream;
  }

  public String deadLetterStream() {
    return deadLetterStream;
  }

  @Override
  public void ensureGroup() {
    try {
      commands()
          .xgroupCreate(
              StreamOffset.from(stream, "0-0"),
              QueueNames.WORKER_GROUP,
              XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // BUSYGROUP: another worker (or an earlier start) created it.
    }
  }

  @Override
  public Optional<Entry> next(String consumer, Duration block) {
    List<StreamMessage<String, String>> messages;
    try {
      messages = read(consumer, block);
    } catch (io.lettuce.core.RedisCommandExecutionException e) {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOGROUP")) {
        throw e;
      }
      // Redis lost the group (restarted empty, or flushed): make it again and read once more.
      ensureGroup();
      messages = read(consumer, block);
    }
    if (messages == null || messages.isEmpty()) {
      return Optional.empty();
    }
    StreamMessage<String, String> m = messages.get(0);
    return Optional.of(new Entry(m.getId(), Map.copyOf(m.getBody())));
  }

  @SuppressWarnings("unchecked") // generic varargs of StreamOffset
  private List<StreamMessage<String, String>> read(String consumer, Duration block) {
    return readConnection()
        .sync()
        .xreadgroup(
            Consumer.from(QueueNames.WORKER_GROUP, consumer),
            XReadArgs.Builder.count(1).block(block),
            StreamOffset.lastConsumed(stream));
  }

  @Override
  public List<Entry> reclaim(String consumer, Duration minIdle, int max) {
    ClaimedMessages<String, String> claimed =
        commands()
            .xautoclaim(
                stream,
                XAutoClaimArgs.Builder.xautoclaim(
                        Consumer.from(QueueNames.WORKER_GROUP, consumer), minIdle, "0-0")
                    .count(max));
    return claimed.getMessages().stream()
        // Entries deleted from the stream while pending come back without a body.
        .filter(m -> m.getBody() != null && !m.getBody().isEmpty())
        .map(m -> new Entry(m.getId(), Map.copyOf(m.getBody())))
        .toList();
  }

  @Override
  public void ack(String entryId) {
    commands().xack(stream, QueueNames.WORKER_GROUP, entryId);
  }

  @Override
  public void requeue(Entry entry) {
    commands().xadd(stream, entry.fields());
  }

  @Override
  public void deadLetter(Entry entry, String reason) {
    Map<String, String> fields = new LinkedHashMap<>(entry.fields());
    fields.put(FIELD_REASON, reason);
    fields.put(FIELD_ORIGINAL_ID, entry.id());
    commands().xadd(deadLetterStream, fields);
  }

  @Override
  public void ping() {
    String reply = commands().ping();
    if (!"PONG".equals(reply)) {
      throw new IllegalStateException("Redis answered " + reply + " to PING");
    }
  }

  private io.lettuce.core.api.sync.RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = commandConnection;
    if (c == null) {
      synchronized (connectLock) {
        if (commandConnection == null) {
          commandConnection = client.connect();
        }
        c = commandConnection;
      }
    }
    return c.sync();
  }

  private StatefulRedisConnection<String, String> readConnection() {
    StatefulRedisConnection<String, String> c = readConnection;
    if (c == null) {
      synchronized (connectLock) {
        if (readConnection == null) {
          readConnection = client.connect();
        }
        c = readConnection;
      }
    }
    return c;
  }

  @PreDestroy
  void close() {
    synchronized (connectLock) {
      if (readConnection != null) {
        readConnection.close();
      }
      if (commandConnection != null) {
        commandConnection.close();
      }
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
