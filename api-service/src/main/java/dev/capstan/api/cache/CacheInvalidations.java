package dev.capstan.api.cache;

import dev.capstan.api.config.ApiConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.redisson.api.RTopic;
import org.redisson.api.RedissonClient;
import org.redisson.api.listener.StatusListener;
import org.redisson.client.codec.StringCodec;

/**
 * Keeps the near-caches of every API instance honest: a write tells all instances (over the Redis
 * channel {@code {ns}:cache:invalidations}, messages {@code <cache>|<key>}) to forget the key. When
 * the subscription is (re)established, messages may have been missed, so every near-cache is
 * cleared; their short TTLs bound what a lost message can cost.
 */
@ApplicationScoped
public class CacheInvalidations {
  private static final char SEPARATOR = '|';

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject MeterRegistry registry;

  private final Map<String, NearCache<?>> caches = new ConcurrentHashMap<>();
  private volatile int messageListener = -1;
  private volatile int statusListener = -1;

  /**
   * Makes {@code cache} follow invalidations published by any instance, and publishes its counters:
   * {@code capstan_cache_near_hits_total{cache}} (answered from memory) and {@code
   * capstan_cache_near_loads_total{cache}} (went on to Redis or the database).
   */
  public <V> NearCache<V> register(NearCache<V> cache) {
    caches.put(cache.name(), cache);
    FunctionCounter.builder("capstan.cache.near.hits", cache, NearCache::hits)
        .description("Near-cache lookups answered from this instance's memory")
        .tag("cache", cache.name())
        .register(registry);
    FunctionCounter.builder("capstan.cache.near.loads", cache, NearCache::loads)
        .description("Near-cache lookups that went on to Redis or the database")
        .tag("cache", cache.name())
        .register(registry);
    return cache;
  }

  void subscribe(@Observes StartupEvent ignored) {
    try {
      RTopic topic = topic();
      messageListener = topic.addListener(String.class, (channel, message) -> apply(message));
      statusListener =
          topic.addListener(
              new StatusListener() {
                @Override
                public void onSubscribe(String channel) {
                  caches.values().forEach(NearCache::invalidateAll);
                }

                @Override
                public void onUnsubscribe(String channel) {
                  caches.values().forEach(NearCache::invalidateAll);
                }
              });
    } catch (RuntimeException e) {
      // Redisson subscribes when Redis comes back; until then the TTLs bound staleness.
      Log.warnf("not subscribed to cache invalidations yet: %s", e.getMessage());
    }
  }

  void unsubscribe(@Observes ShutdownEvent ignored) {
    if (messageListener >= 0) {
      topic().removeListener(messageListener, statusListener);
    }
  }

  /**
   * Forgets {@code key} of {@code cache} here at once and on every other instance as soon as the
   * message arrives. Best effort: when Redis is unreachable the others wait for their TTL.
   */
  public void invalidateEverywhere(String cache, String key) {
    NearCache<?> local = caches.get(cache);
    if (local != null) {
      local.invalidate(key);
    }
    try {
      topic().publish(cache + SEPARATOR + key);
    } catch (RuntimeException e) {
      Log.warnf("invalidation of %s %s not published: %s", cache, key, e.getMessage());
    }
  }

  private void apply(String message) {
    int at = message.indexOf(SEPARATOR);
    if (at < 0) {
      return;
    }
    NearCache<?> cache = caches.get(message.substring(0, at));
    if (cache != null) {
      cache.invalidate(message.substring(at + 1));
    }
  }

  private RTopic topic() {
    return redisson.getTopic(
        config.redis().namespace() + ":cache:invalidations", StringCodec.INSTANCE);
  }
}
