package dev.capstan.worker.job;

import java.util.Locale;

/**
 * The steps of a job as {@code videos.progress_stage} names them, each with the share of the
 * overall percentage it covers.
 */
public enum ProgressStage {
  DOWNLOADING(0, 5),
  PROBING(5, 10),
  TRANSCODING(10, 90),
  UPLOADING(90, 99),
  DONE(100, 100);

  private final int fromPercent;
  private final int toPercent;

  ProgressStage(int fromPercent, int toPercent) {
    this.fromPercent = fromPercent;
    this.toPercent = toPercent;
  }

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Overall percent when this stage is {@code fraction} (0 to 1) done. */
  public int percentAt(double fraction) {
    double f = Math.max(0, Math.min(1, fraction));
    return (int) Math.floor(fromPercent + f * (toPercent - fromPercent));
  }
}
