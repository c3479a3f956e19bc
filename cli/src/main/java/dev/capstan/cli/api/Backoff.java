package dev.capstan.cli.api;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often to try and how long to wait in between: the first retry after {@code first}, doubling
 * up to {@code max}, each delay shortened by up to a quarter at random so that parallel part
 * uploads do not retry in lockstep.
 */
public record Backoff(int maxAttempts, Duration first, Duration max) {
  public Backoff {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
  }

  public static Backoff of(int maxAttempts, Duration first, Duration max) {
    return new Backoff(maxAttempts, first, max);
  }

  /** Whether another attempt is allowed after {@code attemptsMade} attempts failed. */
  public boolean allowsAnother(int attemptsMade) {
    return attemptsMade < maxAttempts;
  }

  /** The delay before attempt {@code attemptsMade + 1}, without jitter. */
  public Duration nominalDelay(int attemptsMade) {
    int doublings = Math.min(Math.max(attemptsMade - 1, 0), 30);
    long millis = first.toMillis() << doublings;
    return Duration.ofMillis(Math.min(millis < 0 ? Long.MAX_VALUE : millis, max.toMillis()));
  }

  /** The delay before attempt {@code attemptsMade + 1}: nominal minus up to 25 % jitter. */
  public Duration delay(int attemptsMade) {
    long nominal = nominalDelay(attemptsMade).toMillis();
    long jitter = nominal / 4 == 0 ? 0 : ThreadLocalRandom.current().nextLong(nominal / 4 + 1);
    return Duration.ofMillis(nominal - jitter);
  }

  public static void pause(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
