package dev.capstan.api.admin;

import dev.capstan.model.job.JobLane;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.Startup;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;

/**
 * Queue gauges for autoscaling (KEDA, HPA on external metrics) and dashboards, refreshed every
 * {@code capstan.jobs.stats-every} rather than per scrape: {@code capstan_queue_depth{lane}} (due
 * queued jobs), {@code capstan_queue_lag{lane}} (stream entries no worker has read), {@code
 * capstan_queue_pending{lane}}, {@code capstan_queue_oldest_age_seconds{lane}}, {@code
 * capstan_queue_dead_jobs} and {@code capstan_workers_live}. Every API instance reports the same
 * numbers; aggregate with max, not sum.
 */
@Startup
@ApplicationScoped
public class QueueMetrics {
  private final QueueInspector inspector;
  private final Clock clock;
  private final Map<JobLane, AtomicLong[]> lanes = new EnumMap<>(JobLane.class);
  private final AtomicLong deadJobs = new AtomicLong();
  private final AtomicLong liveWorkers = new AtomicLong();

  @Inject
  public QueueMetrics(QueueInspector inspector, MeterRegistry registry, Clock clock) {
    this.inspector = inspector;
    this.clock = clock;
    for (JobLane lane : JobLane.values()) {
      AtomicLong[] v = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
      lanes.put(lane, v);
      gauge(registry, "capstan.queue.depth", "Due queued jobs", lane, v[0]);
      gauge(registry, "capstan.queue.lag", "Stream entries not yet read", lane, v[1]);
      gauge(registry, "capstan.queue.pending", "Stream entries read, not acked", lane, v[2]);
      gauge(registry, "capstan.queue.oldest.age.seconds", "Wait of the oldest due job", lane, v[3]);
    }
    Gauge.builder("capstan.queue.dead.jobs", deadJobs, AtomicLong::get)
        .description("Jobs that ran out of attempts or were rejected")
        .register(registry);
    Gauge.builder("capstan.workers.live", liveWorkers, AtomicLong::get)
        .description("Workers with a live heartbeat")
        .register(registry);
  }

  private static void gauge(
      MeterRegistry registry, String name, String help, JobLane lane, AtomicLong value) {
    ToDoubleFunction<AtomicLong> read = AtomicLong::get;
    Gauge.builder(name, value, read)
        .description(help)
        .tag("lane", lane.wireName())
        .register(registry);
  }

  @Scheduled(
      every = "${capstan.jobs.stats-every:10s}",
      delayed = "1s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void refresh() {
    try {
      for (JobLane lane : JobLane.values()) {
        QueueView.Lane l = inspector.lane(lane, clock.instant());
        AtomicLong[] v = lanes.get(lane);
        v[0].set(l.due());
        v[1].set(l.lag() == null ? 0 : l.lag());
        v[2].set(l.pending() == null ? 0 : l.pending());
        v[3].set(l.oldestWaitingSeconds() == null ? 0 : Math.round(l.oldestWaitingSeconds()));
      }
      deadJobs.set(inspector.deadLetters().jobs());
      liveWorkers.set(inspector.workers().size());
    } catch (RuntimeException e) {
      Log.debugf(e, "queue gauges not refreshed");
    }
  }
}
