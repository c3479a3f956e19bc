package dev.capstan.api.job.queue;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.model.job.JobDescriptor;
import dev.capstan.model.job.JobMessage;
import dev.capstan.model.job.QueueNames;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.redisnode.RedisNodes;
import org.redisson.api.stream.StreamAddArgs;
import org.redisson.api.stream.StreamCreateGroupArgs;
import org.redisson.api.stream.StreamMessageId;
import org.redisson.client.codec.StringCodec;

/** Publishes jobs with XADD to the job stream that the workers read as a consumer group. */
@ApplicationScoped
public class RedisStreamJobPublisher implements JobPublisher {
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  void ensureGroup(@Observes StartupEvent ignored) {
    try {
      createGroup();
    } catch (RuntimeException e) {
      // Redis may be down at startup; jobs wait in MySQL and the sweep publishes them later.
      Log.warnf("could not create the job stream group yet: %s", e.getMessage());
    }
  }

  /**
   * Creates the consumer group reading from the start of the stream, so entries added before any
   * worker started are still delivered. BUSYGROUP means it exists already.
   */
  void createGroup() {
    try {
      stream()
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

  @Override
  public <T> void publish(JobDescriptor<T> kind, String jobId, T payload) {
    stream().add(StreamAddArgs.entries(JobMessage.encode(kind, jobId, payload)));
  }

  @Override
  public void ping() {
    if (!redisson.getRedisNodes(RedisNodes.SINGLE).pingAll()) {
      throw new IllegalStateException("redis did not answer PING");
    }
  }

  private RStream<String, String> stream() {
    return redisson.getStream(
        QueueNames.jobStream(config.redis().namespace()), StringCodec.INSTANCE);
  }
}
