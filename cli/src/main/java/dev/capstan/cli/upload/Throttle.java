package dev.capstan.cli.upload;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * An upload bandwidth limit shared by all parts in flight ({@code --limit-rate}): each slice of
 * bytes waits for its turn so the total stays under the rate.
 */
public final class Throttle {
  private final long bytesPerSecond;
  private long nextFreeNanos = System.nanoTime();

  private Throttle(long bytesPerSecond) {
    this.bytesPerSecond = bytesPerSecond;
  }

  public static Throttle unlimited() {
    return new Throttle(0);
  }

  public static Throttle of(long bytesPerSecond) {
    return new Throttle(bytesPerSecond);
  }

  public boolean limited() {
    return bytesPerSecond > 0;
  }

  /** Blocks until {@code bytes} more may go out. */
  public void acquire(long bytes) {
    if (bytesPerSecond <= 0) {
      return;
    }
    long waitUntil;
    synchronized (this) {
      long now = System.nanoTime();
      long start = Math.max(now, nextFreeNanos);
      nextFreeNanos = start + bytes * TimeUnit.SECONDS.toNanos(1) / bytesPerSecond;
      waitUntil = start;
    }
    long remaining;
    while ((remaining = waitUntil - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Parses {@code 500K}, {@code 8M}, {@code 1.5G} or plain bytes per second. */
  public static long parseRate(String text) {
    String t = text.trim().toUpperCase(java.util.Locale.ROOT);
    if (t.endsWith("/S")) {
      t = t.substring(0, t.length() - 2);
    }
    if (t.endsWith("B")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.endsWith("I")) {
      t = t.substring(0, t.length() - 1);
    }
    long unit = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    switch (last) {
      case 'K' -> unit = 1024L;
      case 'M' -> unit = 1024L * 1024;
      case 'G' -> unit = 1024L * 1024 * 1024;
      default -> unit = 1;
    }
    if (unit > 1) {
      t = t.substring(0, t.length() - 1);
    }
    double value = Double.parseDouble(t);
    if (value <= 0) {
      throw new NumberFormatException("rate must be positive");
    }
    return (long) (value * unit);
  }
}
