package dev.capstan.worker.queue;

import dev.capstan.model.job.JobLane;
import java.util.List;

/**
 * Which lane a worker tries first: the short lane, except that at least one job in every {@code
 * longEvery} comes from the long lane while it has work, so a stream of short jobs never starves a
 * long one (and a long backlog never blocks short ones for more than one job per worker).
 */
final class LaneSchedule {
  private static final List<JobLane> SHORT_FIRST = List.of(JobLane.SHORT, JobLane.LONG);
  private static final List<JobLane> LONG_FIRST = List.of(JobLane.LONG, JobLane.SHORT);

  private final int longEvery;
  private int shortSinceLong;

  LaneSchedule(int longEvery) {
    this.longEvery = Math.max(1, longEvery);
  }

  List<JobLane> order() {
    return shortSinceLong + 1 >= longEvery ? LONG_FIRST : SHORT_FIRST;
  }

  void taken(JobLane lane) {
    shortSinceLong = lane == JobLane.LONG ? 0 : shortSinceLong + 1;
  }
}
