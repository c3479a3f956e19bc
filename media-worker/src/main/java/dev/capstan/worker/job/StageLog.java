package dev.capstan.worker.job;

import org.jboss.logging.Logger;

/**
 * Logs when a job's run reaches each stage (download started, probed, copy started, playable...),
 * in milliseconds since the worker claimed it: where the time to playable goes, from the log alone.
 */
final class StageLog {
  private static final Logger LOG = Logger.getLogger(StageLog.class);

  private final String jobId;
  private final long claimed = System.nanoTime();

  StageLog(String jobId) {
    this.jobId = jobId;
  }

  /** Logs that {@code stage} was reached now. */
  void reached(String stage) {
    LOG.infof("job %s: %s at %d ms", jobId, stage, (System.nanoTime() - claimed) / 1_000_000);
  }
}
