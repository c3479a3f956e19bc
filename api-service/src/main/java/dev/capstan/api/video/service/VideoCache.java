package dev.capstan.api.video.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.cache.CacheInvalidations;
import dev.capstan.api.cache.NearCache;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.event.VideoEventHub;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.function.Supplier;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Videos as the API shows them, in two tiers: this instance's memory for a few seconds ({@code
 * capstan.cache.video-near-ttl}), and the {@code video:{id}} entry in Redis shared by all instances
 * ({@code capstan.cache.video-ttl}). Every write through the API evicts both on every instance;
 * every video event (workers publish one on each status and progress change) does the same, since
 * every instance receives it. The TTLs bound anything that slips through. Redis trouble only costs
 * a database read.
 */
@ApplicationScoped
public class VideoCache {
  static final String NAME = "video";

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject ObjectMapper json;
  @Inject VideoEventHub events;
  @Inject CacheInvalidations invalidations;

  private NearCache<VideoSnapshot> near;

  @PostConstruct
  void createNearCache() {
    near =
        invalidations.register(
            new NearCache<>(NAME, config.cache().videoNearTtl(), config.cache().nearMaxEntries()));
  }

  void evictOnEvents(@Observes StartupEvent ignored) {
    events.listenToAll(e -> evictHere(e.videoId()));
  }

  /**
   * The video {@code videoId}, whoever owns it: from memory, else Redis, else {@code database}
   * (whose answer is then cached). Concurrent misses of one video on this instance share one load.
   */
  public Optional<VideoSnapshot> get(String videoId, Supplier<Optional<VideoSnapshot>> database) {
    return near.get(
        videoId,
        () -> {
          Optional<VideoSnapshot> shared = fromRedis(videoId);
          if (shared.isPresent()) {
            return shared;
          }
          Optional<VideoSnapshot> loaded = database.get();
          loaded.ifPresent(this::put);
          return loaded;
        });
  }

  /** The video if this instance holds it in memory; never blocks. */
  public Optional<VideoSnapshot> peek(String videoId) {
    return near.peek(videoId);
  }

  /** Forgets the video in Redis and on every instance (after a write through the API). */
  public void evict(String videoId) {
    deleteFromRedis(videoId);
    invalidations.invalidateEverywhere(NAME, videoId);
  }

  /** Loads run by this instance's near-cache so far (misses that went past memory). */
  public long loads() {
    return near.loads();
  }

  /** On a video event, which every instance receives: forgetting it here is enough. */
  private void evictHere(String videoId) {
    near.invalidate(videoId);
    deleteFromRedis(videoId);
  }

  private Optional<VideoSnapshot> fromRedis(String videoId) {
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

  private void put(VideoSnapshot snapshot) {
    try {
      bucket(snapshot.id()).set(json.writeValueAsString(snapshot), config.cache().videoTtl());
    } catch (Exception e) {
      Log.debugf("video cache write of %s failed: %s", snapshot.id(), e.getMessage());
    }
  }

  private void deleteFromRedis(String videoId) {
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
