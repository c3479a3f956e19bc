package dev.capstan.api.share.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.capstan.api.cache.CacheInvalidations;
import dev.capstan.api.cache.NearCache;
import dev.capstan.api.config.ApiConfig;
import io.quarkus.logging.Log;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.function.Supplier;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Share links by code, in two tiers: this instance's memory ({@code capstan.cache.share-near-ttl})
 * and {@code {ns}:share:{code}} in Redis ({@code capstan.cache.share-ttl}). A link changes only
 * when it is revoked, which evicts it everywhere; a deleted video's links fail on the video lookup,
 * which has its own invalidation. Unknown codes are never cached. A revoked code leaves a tombstone
 * in Redis, and entries are only ever added where none is, so a load that read the row just before
 * the revocation cannot bring the link back.
 */
@ApplicationScoped
public class ShareLinkCache {
  static final String NAME = "share";
  private static final String REVOKED = "revoked";

  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject ObjectMapper json;
  @Inject CacheInvalidations invalidations;

  private NearCache<ShareLink> near;

  @PostConstruct
  void createNearCache() {
    near =
        invalidations.register(
            new NearCache<>(NAME, config.cache().shareNearTtl(), config.cache().nearMaxEntries()));
  }

  /**
   * The link of {@code code}: from memory, else Redis, else {@code database}; one load per code.
   */
  public Optional<ShareLink> get(String code, Supplier<Optional<ShareLink>> database) {
    return near.get(
        code,
        () -> {
          String shared = fromRedis(code);
          if (REVOKED.equals(shared)) {
            return Optional.empty();
          }
          Optional<ShareLink> decoded = shared == null ? Optional.empty() : decode(code, shared);
          if (decoded.isPresent()) {
            return decoded;
          }
          Optional<ShareLink> loaded = database.get();
          loaded.ifPresent(this::put);
          return loaded;
        });
  }

  /** The link if this instance holds it in memory; never blocks. */
  public Optional<ShareLink> peek(String code) {
    return near.peek(code);
  }

  /** Forgets the revoked link in Redis and on every instance. */
  public void revoked(String code) {
    try {
      bucket(code).set(REVOKED, config.cache().shareTtl());
    } catch (RuntimeException e) {
      Log.warnf("share link cache eviction of %s failed: %s", code, e.getMessage());
    }
    invalidations.invalidateEverywhere(NAME, code);
  }

  /** Loads run by this instance's near-cache so far (misses that went past memory). */
  public long loads() {
    return near.loads();
  }

  private String fromRedis(String code) {
    try {
      return bucket(code).get();
    } catch (RuntimeException e) {
      Log.debugf("share link cache read of %s failed: %s", code, e.getMessage());
      return null;
    }
  }

  private Optional<ShareLink> decode(String code, String cached) {
    try {
      return Optional.of(json.readValue(cached, ShareLink.class));
    } catch (Exception e) {
      Log.debugf("share link cache entry of %s unreadable: %s", code, e.getMessage());
      return Optional.empty();
    }
  }

  private void put(ShareLink link) {
    try {
      bucket(link.code()).setIfAbsent(json.writeValueAsString(link), config.cache().shareTtl());
    } catch (Exception e) {
      Log.debugf("share link cache write of %s failed: %s", link.code(), e.getMessage());
    }
  }

  private RBucket<String> bucket(String code) {
    return redisson.getBucket(config.redis().namespace() + ":share:" + code, StringCodec.INSTANCE);
  }
}
