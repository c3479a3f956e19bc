package dev.capstan.bench.result;

import java.util.Arrays;

/** Minimum, median and maximum of a handful of measurements. */
public record Stats(double min, double median, double max) {

  public static Stats of(double... values) {
    if (values.length == 0) {
      return new Stats(Double.NaN, Double.NaN, Double.NaN);
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    return new Stats(sorted[0], median, sorted[n - 1]);
  }
}
