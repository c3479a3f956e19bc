package dev.capstan.model.job;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * How often and how soon a failed job is tried again: at most {@link #maxAttempts()} attempts, the
 * n-th retry after {@code base * 2^(n-1)} capped at {@code max}, with "equal jitter" (half of the
 * delay fixed, half random) so a burst of failures does not come back as a burst.
 *
 * <pre>{@code RetryPolicy.maxAttempts(3).backoff(Duration.ofSeconds(10), Duration.ofMinutes(5))}
 * </pre>
 *
 * <p>Only transient failures (our side broke: storage or database unreachable, a worker died) are
 * retried; a permanent one (the media itself is bad) ends the job at once, whatever the policy.
 */
public record RetryPolicy(int maxAttempts, Duration baseBackoff, Duration maxBackoff) {

  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
    }
    if (baseBackoff.isNegative() || maxBackoff.compareTo(baseBackoff) < 0) {
      throw new IllegalArgumentException(
          "need 0 <= base <= max: " + baseBackoff + ", " + maxBackoff);
    }
  }

  /** A policy of {@code n} attempts with the default backoff (10 s doubling up to 5 min). */
  public static RetryPolicy maxAttempts(int n) {
    return new RetryPolicy(n, Duration.ofSeconds(10), Duration.ofMinutes(5));
  }

  public RetryPolicy backoff(Duration base, Duration max) {
    return new RetryPolicy(maxAttempts, base, max);
  }

  /** The same backoff with another attempt budget (a job row carries its own). */
  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, baseBackoff, maxBackoff);
  }

  /** What to do after attempt {@code attempt} (1-based) failed. */
  public sealed interface Decision {
    /** Run again as {@code attempt}, not before {@code notBefore}. */
    record Retry(int attempt, Instant notBefore, Duration delay) implements Decision {}

    /** The budget is spent: the job is dead. */
    record GiveUp(int attempts) implements Decision {}
  }

  /**
   * Decides after a transient failure of {@code attempt}.
   *
   * @param random a source of numbers in [0, 1), e.g. {@code
   *     ThreadLocalRandom.current()::nextDouble}
   */
  public Decision afterFailure(int attempt, Instant now, DoubleSupplier random) {
    if (attempt >= maxAttempts) {
      return new Decision.GiveUp(attempt);
    }
    Duration delay = delayBefore(attempt + 1, random);
    return new Decision.Retry(attempt + 1, now.plus(delay), delay);
  }

  /** Delay before attempt {@code next} (2 or more): half fixed, half random. */
  public Duration delayBefore(int next, DoubleSupplier random) {
    Duration full = exponential(next - 1);
    long half = full.toMillis() / 2;
    long jitter = (long) Math.floor(random.getAsDouble() * (full.toMillis() - half + 1));
    return Duration.ofMillis(half + Math.min(jitter, full.toMillis() - half));
  }

  /** {@code base * 2^(retry-1)}, capped at max; retry counts from 1. */
  Duration exponential(int retry) {
    int shift = Math.max(0, Math.min(retry - 1, 30));
    long ms = baseBackoff.toMillis();
    long scaled = ms > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : ms << shift;
    return Duration.ofMillis(Math.min(scaled, maxBackoff.toMillis()));
  }
}
