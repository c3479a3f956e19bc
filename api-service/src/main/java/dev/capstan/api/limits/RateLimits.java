package dev.capstan.api.limits;

import dev.capstan.api.config.ApiConfig;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.OptionalLong;
import org.redisson.api.RRateLimiter;
import org.redisson.api.RateType;
import org.redisson.api.RedissonClient;

/**
 * Per-user budgets in Redis (Redisson's rate limiter), so every API instance shares the count. If
 * Redis is down the call goes through: limits protect the service, they must not take it down.
 */
@ApplicationScoped
public class RateLimits {
  /** What a limited call spends from. */
  public enum Bucket {
    VIDEO_CREATES,
    UPLOADS,
    SHARES,
    COMMENTS
  }

  @Inject ApiConfig config;
  @Inject RedissonClient redisson;

  /** Takes one permit; empty when allowed, else the seconds to wait before trying again. */
  public OptionalLong tryTake(Bucket bucket, String userId) {
    ApiConfig.RateLimits limits = config.rateLimits();
    if (!limits.enabled()) {
      return OptionalLong.empty();
    }
    long permits = permitsOf(bucket);
    try {
      RRateLimiter limiter =
          redisson.getRateLimiter(
              config.redis().namespace()
                  + ":ratelimit:"
                  + bucket.name().toLowerCase()
                  + ":"
                  + userId);
      limiter.trySetRate(RateType.OVERALL, permits, limits.per(), limits.per().multipliedBy(2));
      if (limiter.tryAcquire()) {
        return OptionalLong.empty();
      }
      return OptionalLong.of(Math.max(1, ceilSeconds(limits.per().dividedBy(permits))));
    } catch (RuntimeException e) {
      Log.warnf("rate limit not checked (%s): %s", bucket, e.getMessage());
      return OptionalLong.empty();
    }
  }

  public long permitsOf(Bucket bucket) {
    ApiConfig.RateLimits limits = config.rateLimits();
    return switch (bucket) {
      case COMMENTS -> limits.comments();
      case SHARES -> limits.shares();
      case UPLOADS -> limits.uploads();
      case VIDEO_CREATES -> limits.videoCreates();
    };
  }

  public Duration window() {
    return config.rateLimits().per();
  }

  private static long ceilSeconds(Duration d) {
    return (d.toMillis() + 999) / 1000;
  }
}
