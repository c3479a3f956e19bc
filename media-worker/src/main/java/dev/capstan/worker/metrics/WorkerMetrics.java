package dev.capstan.worker.metrics;

import dev.capstan.model.video.FailureReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker's own Prometheus series: {@code capstan_worker_jobs_total{outcome}}, {@code
 * capstan_worker_failures_total{reason}}, {@code capstan_worker_transcode_seconds}, {@code
 * capstan_worker_realtime_factor} and {@code capstan_worker_busy}.
 */
@ApplicationScoped
public class WorkerMetrics {

  /** How a stream entry ended, as the {@code outcome} label says it. */
  public enum JobOutcome {
    SUCCEEDED("succeeded"),
    FAILED("failed"),
    DEAD_LETTER("dead_letter"),
    LEASE_LOST("lease_lost"),
    HANDED_BACK("handed_back");

    private final String label;

    JobOutcome(String label) {
      this.label = label;
    }
  }

  private final Map<JobOutcome, Counter> jobs = new EnumMap<>(JobOutcome.class);
  private final Map<FailureReason, Counter> failures = new EnumMap<>(FailureReason.class);
  private final Timer transcode;
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
      realtimeFactorBits.set(Double.doubleToLongBits(mediaSeconds / wallSeconds));
    }
  }

  public void busy(boolean working) {
    busy.set(working ? 1 : 0);
  }

  double realtimeFactor() {
    return Double.longBitsToDouble(realtimeFactorBits.get());
  }
}
