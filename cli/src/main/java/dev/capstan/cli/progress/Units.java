package dev.capstan.cli.progress;

import java.util.Locale;

/** Sizes, rates and durations as people read them. */
public final class Units {
  private static final String[] BINARY = {"B", "KiB", "MiB", "GiB", "TiB"};

  private Units() {}

  public static String bytes(long n) {
    if (n < 1024) {
      return n + " B";
    }
    double v = n;
    int unit = 0;
    while (v >= 1024 && unit < BINARY.length - 1) {
      v /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, BINARY[unit]);
  }

  public static String rate(double bytesPerSecond) {
    return bytes(Math.round(bytesPerSecond)) + "/s";
  }

  /** {@code m:ss} or {@code h:mm:ss}; {@code --:--} when unknown. */
  public static String eta(double seconds) {
    if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds < 0 || seconds > 360000) {
      return "--:--";
    }
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
