package dev.capstan.worker.transcode;

import java.util.function.LongSupplier;

/**
 * Notices a transcode that stopped moving through its source: the furthest position reached must
 * advance at least once per timeout, or {@link #check()} throws {@link TranscodeStalled}. Frames
 * that do not move the position forward (a decoder spinning on one timestamp) do not count.
 */
final class StallWatch {
  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private long furthestUs = Long.MIN_VALUE;
  private long lastAdvanceNanos;

  StallWatch(java.time.Duration timeout, LongSupplier nanoClock) {
    this.timeoutNanos = timeout.toNanos();
    this.nanoClock = nanoClock;
    this.lastAdvanceNanos = nanoClock.getAsLong();
  }

  /** The transcode reached {@code positionUs} of the source. */
  void advanced(long positionUs) {
    if (positionUs > furthestUs) {
      furthestUs = positionUs;
      lastAdvanceNanos = nanoClock.getAsLong();
    }
  }

  /**
   * @throws TranscodeStalled when the position has not advanced for longer than the timeout
   */
  void check() {
    long idle = nanoClock.getAsLong() - lastAdvanceNanos;
    if (idle > timeoutNanos) {
      throw new TranscodeStalled(
          "no progress for %.1f s at %.1f s of the source (stall timeout %.1f s)"
              .formatted(idle / 1e9, Math.max(0, furthestUs) / 1e6, timeoutNanos / 1e9));
    }
  }
}
