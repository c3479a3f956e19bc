package dev.capstan.bench.report;

import java.time.Instant;
import java.util.List;

/**
 * When, at which commit and in which mode a suite run measured, and how long each benchmark took.
 *
 * @param mode {@code quick} or {@code full}
 * @param note free text printed under the machine table (e.g. "the machine was shared"); may be
 *     null
 * @param timings wall time of each benchmark the suite started, in the order it ran them
 */
public record RunInfo(Instant at, String commit, String mode, String note, List<Timing> timings) {

  public RunInfo {
    timings = List.copyOf(timings);
  }

  public RunInfo(Instant at, String commit, String mode, String note) {
    this(at, commit, mode, note, List.of());
  }

  /** One benchmark's wall time in the suite, whether or not it produced a result. */
  public record Timing(String name, long seconds) {}
}
