package dev.capstan.api.job.queue;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.model.job.JobDescriptor;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamGroup;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.codec.StringCodec;

/** Publishes jobs with XADD to the lane's stream that the workers read as a consumer group. */
@ApplicationScoped
public class RedisStreamJobPublisher implements JobPublisher {
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  void ensureGroup(@Observes StartupEvent ignored) {
    try {
      createGroup();
    } catch (RuntimeException e) {
      // Redis may be down at startup; jobs wait in MySQL and the reconciler publishes them later.
      Log.warnf("could not create the job stream groups yet: %s", e.getMessage());
    }
  }

  /**
   * Creates the consumer group of every lane reading from the start of the stream, so entries added
   * before any worker started are still delivered. BUSYGROUP means it exists already.
   */
  void createGroup() {
    for (JobLane lane : JobLane.values()) {
      try {
        stream(lane)
            .createGroup(
                StreamCreateGroupArgs.name(QueueNames.WORKER_GROUP)
                    .id(StreamMessageId.ALL)
                    .makeStream());
      } catch (RuntimeException e) {
        if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
          throw e;
        }
      }
    }
  }

  @Override
  public <T> String publish(JobDescriptor<T> kind, String jobId, T payload, JobLane lane) {
    return stream(lane)
        .add(StreamAddArgs.entries(JobMessage.encode(kind, jobId, payload)))
        .toString();
  }

  @Override
  public EntryState entryState(JobLane lane, String entryId) {
    RStream<String, String> stream = stream(lane);
    StreamMessageId id = parse(entryId);
    if (stream.range(1, id, id).isEmpty()) {
      return EntryState.GONE;
    }
    StreamMessageId lastDelivered = lastDelivered(stream);
    if (lastDelivered == null) {
      // The entry is there but the group is not (Redis lost it): workers recreate it from 0-0.
      return EntryState.WAITING;
    }
    if (compare(id, lastDelivered) > 0) {
      return EntryState.WAITING;
    }
    boolean pending = !stream.listPending(QueueNames.WORKER_GROUP, id, id, 1).isEmpty();
    return pending ? EntryState.PENDING : EntryState.GONE;
  }

  private static StreamMessageId lastDelivered(RStream<String, String> stream) {
    try {
      List<StreamGroup> groups = stream.listGroups();
      return groups.stream()
          .filter(g -> QueueNames.WORKER_GROUP.equals(g.getName()))
          .map(StreamGroup::getLastDeliveredId)
          .findFirst()
          .orElse(null);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void deadLetter(Map<String, String> fields) {
    redisson
        .<String, String>getStream(
            QueueNames.deadLetterStream(config.redis().namespace()), StringCodec.INSTANCE)
        .add(StreamAddArgs.entries(fields));
  }

  @Override
  public void ping() {
    if (!redisson.getRedisNodes(RedisNodes.SINGLE).pingAll()) {
      throw new IllegalStateException("redis did not answer PING");
    }
  }

  private RStream<String, String> stream(JobLane lane) {
    return redisson.getStream(
        QueueNames.jobStream(config.redis().namespace(), lane), StringCodec.INSTANCE);
  }

  static StreamMessageId parse(String id) {
    int dash = id.indexOf('-');
    return new StreamMessageId(
        Long.parseUnsignedLong(id.substring(0, dash)),
        Long.parseUnsignedLong(id.substring(dash + 1)));
  }

  static int compare(StreamMessageId a, StreamMessageId b) {
    int c = Long.compareUnsigned(a.getId0(), b.getId0());
    return c != 0 ? c : Long.compareUnsigned(a.getId1(), b.getId1());
  }
}
