package dev.capstan.cli.progress;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Transfer rate over the last few seconds (not since the start, which a stall or a resume would
 * skew), from samples of the bytes sent so far.
 */
final class RateMeter {
  private static final long WINDOW_NANOS = 5_000_000_000L;

  private record Sample(long nanos, long bytes) {}

  private final Deque<Sample> samples = new ArrayDeque<>();

  synchronized void sample(long nanos, long bytesSoFar) {
    samples.addLast(new Sample(nanos, bytesSoFar));
    while (samples.size() > 2 && nanos - samples.peekFirst().nanos() > WINDOW_NANOS) {
      samples.removeFirst();
    }
  }

  /** Bytes per second, or NaN before there is anything to measure. */
  synchronized double bytesPerSecond() {
    if (samples.size() < 2) {
      return Double.NaN;
    }
    Sample first = samples.peekFirst();
    Sample last = samples.peekLast();
    long dt = last.nanos() - first.nanos();
    return dt <= 0 ? Double.NaN : (last.bytes() - first.bytes()) * 1e9 / dt;
  }
}
