package dev.capstan.worker.registry;

import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.WorkerHeartbeat;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.config.WorkerIdentity;
import dev.capstan.worker.redis.WorkerRedis;
import io.lettuce.core.SetArgs;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This worker's entry in the registry: a heartbeat key ({@link QueueNames#workerKey}) rewritten
 * every {@code capstan.worker.registry-every} with a TTL of three beats, saying what it works on. A
 * worker that dies simply stops beating and its key expires; a clean stop deletes it.
 */
@ApplicationScoped
public class WorkerRegistry {
  private static final Logger LOG = Logger.getLogger(WorkerRegistry.class);

  /** What this worker is doing now. */
  private record Current(
      String jobId,
      String videoId,
      int attempt,
      JobLane lane,
      Instant since,
      Integer percent,
      String stage) {}

  private final WorkerRedis redis;
  private final WorkerConfig config;
  private final String workerId;
  private final String key;
  private final String host;
  private final Clock clock;
  private final Instant started;
  private volatile Current current;
  private ScheduledExecutorService beats;

  public WorkerRegistry(
      WorkerRedis redis, WorkerConfig config, WorkerIdentity identity, Clock clock) {
    this.redis = redis;
    this.config = config;
    this.workerId = identity.id();
    this.key = QueueNames.workerKey(config.redis().namespace(), workerId);
    this.host = hostName();
    this.clock = clock;
    this.started = clock.instant();
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.worker().enabled()) {
      return;
    }
    beats =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("worker-registry").daemon().unstarted(r));
    long every = Math.max(100, config.worker().registryEvery().toMillis());
    beats.scheduleWithFixedDelay(this::beat, 0, every, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent event) {
    if (beats == null) {
      return;
    }
    beats.shutdownNow();
    try {
      redis.commands().del(key);
    } catch (RuntimeException e) {
      LOG.debugf(e, "could not remove heartbeat %s; it expires by itself", key);
    }
  }

  /** This worker took a job. */
  public void working(String jobId, String videoId, int attempt, JobLane lane) {
    current = new Current(jobId, videoId, attempt, lane, clock.instant(), 0, null);
  }

  /** Progress of the current job. */
  public void progress(int percent, String stage) {
    Current c = current;
    if (c != null) {
      current = new Current(c.jobId, c.videoId, c.attempt, c.lane, c.since, percent, stage);
    }
  }

  /** This worker is done with its job. */
  public void idle() {
    current = null;
  }

  /** The heartbeat as it would be written now. */
  public WorkerHeartbeat heartbeat() {
    Current c = current;
    Instant now = clock.instant();
    if (c == null) {
      return new WorkerHeartbeat(
          workerId, host, null, null, null, null, null, null, started, null, now);
    }
    return new WorkerHeartbeat(
        workerId,
        host,
        c.jobId,
        c.videoId,
        c.attempt,
        c.lane == null ? null : c.lane.wireName(),
        c.percent,
        c.stage,
        started,
        c.since,
        now);
  }

  private void beat() {
    try {
      long ttl = Math.max(1000, config.worker().registryEvery().multipliedBy(3).toMillis());
      redis.commands().set(key, heartbeat().encode(), SetArgs.Builder.px(ttl));
    } catch (RuntimeException e) {
      LOG.debugf(e, "heartbeat not written");
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return System.getenv().getOrDefault("HOSTNAME", "unknown");
    }
  }
}
