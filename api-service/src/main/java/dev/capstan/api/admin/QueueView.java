package dev.capstan.api.admin;

import dev.capstan.model.job.WorkerHeartbeat;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/admin/queue}: the job system at a glance.
 *
 * @param lanes one entry per lane
 * @param inFlight jobs running now under a lease
 * @param deadLetters what ran out of attempts or could not be read
 * @param workers live workers (those whose heartbeat has not expired)
 */
public record QueueView(
    List<Lane> lanes,
    List<InFlight> inFlight,
    DeadLetters deadLetters,
    List<WorkerHeartbeat> workers,
    Instant at) {

  /**
   * One lane.
   *
   * @param queued jobs queued in the database (due now or waiting for a retry)
   * @param due of those, the ones that may run now
   * @param lag entries in the stream not yet delivered to any worker (null when Redis is down)
   * @param pending entries delivered and not yet acknowledged
   * @param oldestWaitingSeconds how long the longest-waiting due job has waited
   */
  public record Lane(
      String lane,
      String stream,
      long queued,
      long due,
      Long lag,
      Long pending,
      Double oldestWaitingSeconds) {}

  /** A running job. */
  public record InFlight(
      String jobId,
      String videoId,
      int attempt,
      String lane,
      String worker,
      Instant leaseExpiresAt,
      Integer percent,
      String stage) {}

  /**
   * @param jobs jobs in state DEAD
   * @param streamLength entries in the dead-letter stream (null when Redis is down)
   */
  public record DeadLetters(long jobs, Long streamLength) {}
}
