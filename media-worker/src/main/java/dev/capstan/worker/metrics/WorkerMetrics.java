package dev.capstan.worker.metrics;

import dev.capstan.model.video.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The worker's own Prometheus series: {@code capstan_worker_jobs_started_total} (leases won),
 * {@code capstan_worker_jobs_total{outcome}} (how each stream entry ended, incl. {@code lease_lost}
 * and {@code skipped}: offered a job another worker held or had finished), {@code
 * capstan_worker_failures_total{reason}}, the histograms {@code
 * capstan_worker_job_duration_seconds{outcome}} (lease taken to outcome) and {@code
 * capstan_worker_job_realtime_factor} (media seconds per wall second of each transcode), {@code
 * capstan_worker_transcode_seconds}, the gauge {@code capstan_worker_realtime_factor} (the last
 * transcode) and {@code capstan_worker_busy}.
 */
@ApplicationScoped
public class WorkerMetrics {

  /** How a stream entry ended, as the {@code outcome} label says it. */
  public enum JobOutcome {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    DEAD_LETTER("dead_letter"),
    LEASE_LOST("lease_lost"),
    HANDED_BACK("handed_back"),
    /** Not ours to run: another worker holds the lease, or the attempt is over. */
    SKIPPED("skipped");

    private final String label;

    JobOutcome(String label) {
      this.label = label;
    }
  }

  // Seconds: a clip of seconds up to a film at a slow rung.
  private static final Duration[] DURATION_BUCKETS =
      Stream.of(1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400)
          .map(Duration::ofSeconds)
          .toArray(Duration[]::new);
  private static final double[] REALTIME_FACTOR_BUCKETS = {
    0.25, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 32, 64
  };

  private final Map<JobOutcome, Counter> jobs = new EnumMap<>(JobOutcome.class);
  private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
  private final Timer transcode;
  private final Counter started;
  private final Map<JobOutcome, Timer> durations = new EnumMap<>(JobOutcome.class);
  private final DistributionSummary realtimeFactors;
  private final AtomicInteger busy = new AtomicInteger();
  // Double bits in a long: the gauge reads the factor of the last finished job.
  private final AtomicLong realtimeFactorBits = new AtomicLong(Double.doubleToLongBits(0));

  public WorkerMetrics(MeterRegistry registry) {
    for (JobOutcome o : JobOutcome.values()) {
      jobs.put(
          o,
          Counter.builder("capstan.worker.jobs")
              .description("Job stream entries handled, by how they ended")
              .tag("outcome", o.label)
              .register(registry));
    }
    for (FailureReason r : FailureReason.values()) {
      failures.put(
          r,
          Counter.builder("capstan.worker.failures")
              .description("Videos failed, by reason")
              .tag("reason", r.code())
              .register(registry));
    }
    started =
        Counter.builder("capstan.worker.jobs.started")
            .description("Jobs this worker took the lease on and started")
            .register(registry);
    for (JobOutcome o : JobOutcome.values()) {
      durations.put(
          o,
          Timer.builder("capstan.worker.job.duration")
              .description("Time from taking the lease to the job's outcome")
              .tag("outcome", o.label)
              .serviceLevelObjectives(DURATION_BUCKETS)
              .register(registry));
    }
    realtimeFactors =
        DistributionSummary.builder("capstan.worker.job.realtime.factor")
            .description("Media seconds transcoded per wall second, per job")
            .serviceLevelObjectives(REALTIME_FACTOR_BUCKETS)
            .register(registry);
    transcode =
        Timer.builder("capstan.worker.transcode")
            .description("Wall time of transcodes (decode, encode, poster)")
            .register(registry);
    Gauge.builder("capstan.worker.realtime.factor", this::realtimeFactor)
        .description("Media seconds per wall second of the last transcode")
        .register(registry);
    Gauge.builder("capstan.worker.busy", busy, AtomicInteger::get)
        .description("1 while this worker runs a job")
        .register(registry);
  }

  /** A lease was won: the job starts on this worker. */
  public void started() {
    started.increment();
  }

  /** A job this worker started ended as {@code outcome} after {@code took}. */
  public void finished(JobOutcome outcome, Duration took) {
    durations.get(outcome).record(took);
  }

  public void job(JobOutcome outcome) {
    jobs.get(outcome).increment();
  }

  public void failure(FailureReason reason) {
    failures.get(reason).increment();
  }

  public void transcoded(Duration wall, double mediaSeconds) {
    transcode.record(wall);
    double wallSeconds = wall.toNanos() / 1e9;
    if (wallSeconds > 0) {
      double factor = mediaSeconds / wallSeconds;
      realtimeFactorBits.set(Double.doubleToLongBits(factor));
      realtimeFactors.record(factor);
    }
  }

  public void busy(boolean working) {
    busy.set(working ? 1 : 0);
  }

  double realtimeFactor() {
    return Double.longBitsToDouble(realtimeFactorBits.get());
  }
}
