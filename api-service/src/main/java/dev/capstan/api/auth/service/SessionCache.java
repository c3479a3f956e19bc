package dev.capstan.api.auth.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.config.ApiConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Sessions as the API checks them on every call, cached in Redis by token hash so a request needs
 * no database round trip. Revocation (logout, password change) evicts the entry; the TTL never
 * outlives the session. Redis trouble only costs a database read.
 */
@ApplicationScoped
public class SessionCache {
  /** What is cached: the caller and when the session ends. */
  public record Entry(AuthenticatedUser user, Instant expiresAt) {}

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject ObjectMapper json;

  public Optional<Entry> get(String tokenHash) {
    try {
      String cached = bucket(tokenHash).get();
      return cached == null ? Optional.empty() : Optional.of(json.readValue(cached, Entry.class));
    } catch (Exception e) {
      Log.debugf("session cache read failed: %s", e.getMessage());
      return Optional.empty();
    }
  }

  public void put(String tokenHash, Entry entry, Instant now) {
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
    }
  }

  private RBucket<String> bucket(String tokenHash) {
    return redisson.getBucket(
        config.redis().namespace() + ":session:" + tokenHash, StringCodec.INSTANCE);
  }
}
