package dev.capstan.worker.event;

import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEvents;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.redis.WorkerRedis;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

/** Publishes video events as JSON on the installation's Redis pub/sub channel. */
@ApplicationScoped
public class RedisVideoEventPublisher implements VideoEventPublisher {
  private static final Logger LOG = Logger.getLogger(RedisVideoEventPublisher.class);

  private final WorkerRedis redis;
  private final String channel;

  public RedisVideoEventPublisher(WorkerRedis redis, WorkerConfig config) {
    this.redis = redis;
    this.channel = VideoEvents.channel(config.redis().namespace());
  }

  @Override
  public void publish(VideoEvent event) {
    try {
      redis.commands().publish(channel, VideoEvents.encode(event));
    } catch (RuntimeException e) {
      LOG.debugf(e, "event %s of video %s not published", event.type(), event.videoId());
    }
  }
}
