package dev.capstan.api.auth.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.cache.CacheInvalidations;
import dev.capstan.api.cache.NearCache;
import dev.capstan.api.config.ApiConfig;
import io.quarkus.logging.Log;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Supplier;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Sessions as the API checks them on every call, by token hash: in this instance's memory for a few
 * seconds ({@code capstan.cache.session-near-ttl}), then in Redis, then in the database. Revocation
 * (logout, password change) deletes the Redis entry and tells every instance to forget it; the TTLs
 * never outlive the session. Redis trouble only costs a database read.
 */
@ApplicationScoped
public class SessionCache {
  static final String NAME = "session";

  /** What is cached: the caller and when the session ends. */
  public record Entry(AuthenticatedUser user, Instant expiresAt) {}

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject ObjectMapper json;
  @Inject CacheInvalidations invalidations;

  private NearCache<Entry> near;

  @PostConstruct
  void createNearCache() {
    near =
        invalidations.register(
            new NearCache<>(
                NAME, config.cache().sessionNearTtl(), config.cache().nearMaxEntries()));
  }

  /**
   * The session of {@code tokenHash}: from memory, else Redis, else {@code database} (whose answer
   * is then cached in both). Concurrent misses of one token on this instance share one load.
   */
  public Optional<Entry> get(String tokenHash, Instant now, Supplier<Optional<Entry>> database) {
    return near.get(
        tokenHash,
        () -> {
          Optional<Entry> shared = fromRedis(tokenHash);
          if (shared.isPresent()) {
            return shared;
          }
          Optional<Entry> loaded = database.get();
          loaded.ifPresent(e -> put(tokenHash, e, now));
          return loaded;
        });
  }

  /** The session if this instance holds it in memory; never blocks. */
  public Optional<Entry> peek(String tokenHash) {
    return near.peek(tokenHash);
  }

  private Optional<Entry> fromRedis(String tokenHash) {
    try {
      String cached = bucket(tokenHash).get();
      return cached == null ? Optional.empty() : Optional.of(json.readValue(cached, Entry.class));
    } catch (Exception e) {
      Log.debugf("session cache read failed: %s", e.getMessage());
      return Optional.empty();
    }
  }

  private void put(String tokenHash, Entry entry, Instant now) {
    Duration ttl = config.cache().sessionTtl();
    Duration left = Duration.between(now, entry.expiresAt());
    if (left.compareTo(ttl) < 0) {
      ttl = left;
    }
    if (ttl.isNegative() || ttl.isZero()) {
      return;
    }
    try {
      bucket(tokenHash).set(json.writeValueAsString(entry), ttl);
    } catch (Exception e) {
      Log.debugf("session cache write failed: %s", e.getMessage());
    }
  }

  /** Must succeed for a revocation to take effect at once; logs when Redis is unreachable. */
  public void evict(Collection<String> tokenHashes) {
    for (String hash : tokenHashes) {
      try {
        bucket(hash).delete();
      } catch (RuntimeException e) {
        Log.warnf(
            "session cache eviction failed (revocation waits for the TTL): %s", e.getMessage());
      }
      invalidations.invalidateEverywhere(NAME, hash);
    }
  }

  private RBucket<String> bucket(String tokenHash) {
    return redisson.getBucket(
        config.redis().namespace() + ":session:" + tokenHash, StringCodec.INSTANCE);
  }
}
