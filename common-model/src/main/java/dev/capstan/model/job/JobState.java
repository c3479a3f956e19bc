package dev.capstan.model.job;

import java.util.EnumSet;
import java.util.Set;

/** Lifecycle of a row in {@code jobs}: the source of truth; Redis only dispatches. */
public enum JobState {
  QUEUED,
  RUNNING,
  /**
   * A flow's parent waits for its chunk jobs, without a lease; the worker that finishes the last
   * chunk takes it back to RUNNING for the finishing step.
   */
  WAITING,
  SUCCEEDED,
  FAILED,
  DEAD;

  public Set<JobState> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(RUNNING, DEAD);
      // RUNNING -> QUEUED: lease expired or the worker handed the job back while draining.
      // RUNNING -> DEAD: the media itself is bad (empty, undecodable); no retry can help.
      // RUNNING -> WAITING: a parent handed the work to its chunk jobs.
      case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, DEAD, QUEUED, WAITING);
      // WAITING -> DEAD: a chunk failed for good.
      case WAITING -> EnumSet.of(RUNNING, DEAD);
      case FAILED -> EnumSet.of(QUEUED, DEAD);
      case SUCCEEDED, DEAD -> EnumSet.noneOf(JobState.class);
    };
  }

  public boolean canBecome(JobState target) {
    return next().contains(target);
  }

  /** Throws when the transition is not allowed; returns the target for fluent use. */
  public JobState transitionTo(JobState target) {
    if (!canBecome(target)) {
      throw new IllegalStateException("job cannot go from " + this + " to " + target);
    }
    return target;
  }

  public boolean isTerminal() {
    return next().isEmpty();
  }
}
