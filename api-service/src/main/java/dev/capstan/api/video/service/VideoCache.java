package dev.capstan.api.video.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.event.VideoEventHub;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * The {@code video:{id}} metadata cache in Redis, shared by all API instances. Every write through
 * the API evicts the entry; every video event (workers publish one on each status and progress
 * change) evicts it on every instance; a short TTL bounds anything that slips through. Redis
 * trouble only costs a database read.
 */
@ApplicationScoped
public class VideoCache {
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject ObjectMapper json;
  @Inject VideoEventHub events;

  void evictOnEvents(@Observes StartupEvent ignored) {
    events.listenToAll(e -> evict(e.videoId()));
  }

  public Optional<VideoSnapshot> get(String videoId) {
    try {
      String cached = bucket(videoId).get();
      return cached == null
          ? Optional.empty()
          : Optional.of(json.readValue(cached, VideoSnapshot.class));
    } catch (Exception e) {
      Log.debugf("video cache read of %s failed: %s", videoId, e.getMessage());
      return Optional.empty();
    }
  }

  public void put(VideoSnapshot snapshot) {
    try {
      bucket(snapshot.id()).set(json.writeValueAsString(snapshot), config.cache().videoTtl());
    } catch (Exception e) {
      Log.debugf("video cache write of %s failed: %s", snapshot.id(), e.getMessage());
    }
  }

  public void evict(String videoId) {
    try {
      bucket(videoId).delete();
    } catch (RuntimeException e) {
      Log.warnf("video cache eviction of %s failed: %s", videoId, e.getMessage());
    }
  }

  private RBucket<String> bucket(String videoId) {
    return redisson.getBucket(
        config.redis().namespace() + ":video:" + videoId, StringCodec.INSTANCE);
  }
}
