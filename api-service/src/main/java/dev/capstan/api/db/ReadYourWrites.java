package dev.capstan.api.db;

import dev.capstan.api.config.ApiConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.redisson.api.RBucket;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Read-your-writes: a user who writes is pinned to the primary for {@code
 * capstan.db.read-your-writes-window}, in Redis so that every API instance honours it. If Redis
 * cannot say, the user is treated as pinned (the primary is always fresh).
 */
@ApplicationScoped
public class ReadYourWrites {
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;

  /** Marks a write by {@code userId}; called before the write, so no read can slip in between. */
  public void wrote(String userId) {
    try {
      bucket(userId).set("1", config.db().readYourWritesWindow());
    } catch (RuntimeException e) {
      Log.debugf("read-your-writes pin of %s failed: %s", userId, e.getMessage());
    }
  }

  /** Whether {@code userId}'s reads must see the primary. */
  public boolean pinned(String userId) {
    try {
      return bucket(userId).isExists();
    } catch (RuntimeException e) {
      return true;
    }
  }

  private RBucket<String> bucket(String userId) {
    return redisson.getBucket(
        config.redis().namespace() + ":db:wrote:" + userId, StringCodec.INSTANCE);
  }
}
