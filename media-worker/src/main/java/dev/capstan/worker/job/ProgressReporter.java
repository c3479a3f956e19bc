package dev.capstan.worker.job;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Turns the many progress callbacks of a job into at most one write per interval: a new stage is
 * written at once, a new percentage only when the interval has passed since the last write.
 */
public final class ProgressReporter {

  /** Where progress goes (the video row). */
  @FunctionalInterface
  public interface Sink {
    void write(int percent, ProgressStage stage);
  }

  private final Clock clock;
  private final Duration interval;
  private final Sink sink;
  private ProgressStage stage;
  private int lastPercent = -1;
  private Instant lastWrite = Instant.MIN;

  public ProgressReporter(Clock clock, Duration interval, Sink sink) {
    this.clock = clock;
    this.interval = interval;
    this.sink = sink;
  }

  /** Enters a stage; always written. */
  public void enter(ProgressStage next) {
    stage = next;
    write(next.percentAt(0));
  }

  /** Progress inside the current stage, 0 to 1; written when due and changed. */
  public void within(double fraction) {
    if (stage == null) {
      return;
    }
    int percent = stage.percentAt(fraction);
    Instant now = clock.instant();
    if (percent > lastPercent && !now.isBefore(lastWrite.plus(interval))) {
      write(percent);
    }
  }

  private void write(int percent) {
    lastPercent = percent;
    lastWrite = clock.instant();
    sink.write(percent, stage);
  }
}
