package dev.capstan.worker.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.capstan.model.job.JobLane;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LaneScheduleTest {

  @Test
  void short_jobs_go_first_but_every_third_job_comes_from_the_long_lane() {
    LaneSchedule schedule = new LaneSchedule(3);
    List<JobLane> taken = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      // Both lanes always have work: the first lane of the order is the one served.
      JobLane lane = schedule.order().get(0);
      schedule.taken(lane);
      taken.add(lane);
    }
    assertThat(taken)
        .containsExactly(
            JobLane.SHORT,
            JobLane.SHORT,
            JobLane.LONG,
            JobLane.SHORT,
            JobLane.SHORT,
            JobLane.LONG,
            JobLane.SHORT,
            JobLane.SHORT,
            JobLane.LONG);
  }

  @Test
  void a_long_job_taken_because_the_short_lane_was_empty_resets_the_count() {
    LaneSchedule schedule = new LaneSchedule(3);
    schedule.taken(JobLane.SHORT);
    schedule.taken(JobLane.LONG);
    assertThat(schedule.order()).first().isEqualTo(JobLane.SHORT);
  }

  @Test
  void with_every_one_the_long_lane_always_goes_first() {
    LaneSchedule schedule = new LaneSchedule(1);
    assertThat(schedule.order()).containsExactly(JobLane.LONG, JobLane.SHORT);
  }
}
