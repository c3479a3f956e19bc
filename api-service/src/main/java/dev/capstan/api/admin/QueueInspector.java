package dev.capstan.api.admin;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.model.job.JobLane;
import dev.capstan.model.job.JobState;
import dev.capstan.model.job.QueueNames;
import dev.capstan.model.job.WorkerHeartbeat;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.redisson.api.RStream;
import org.redisson.api.RedissonClient;
import org.redisson.api.options.KeysScanOptions;
import org.redisson.api.stream.StreamGroup;
import org.redisson.client.codec.StringCodec;

/**
 * Reads the state of the job system from its two halves: the database (queued, due, running, dead
 * jobs) and Redis (stream lag, pending entries, dead letters, worker heartbeats). Redis being down
 * leaves its numbers null rather than failing the whole view.
 */
@ApplicationScoped
public class QueueInspector {
  @Inject EntityManager em;
  @Inject RedissonClient redisson;
  @Inject ApiConfig config;
  @Inject Clock clock;

  @ToleratesLag
  public QueueView view() {
    Instant now = clock.instant();
    List<QueueView.Lane> lanes = new ArrayList<>();
    for (JobLane lane : JobLane.values()) {
      lanes.add(lane(lane, now));
    }
    return new QueueView(lanes, inFlight(), deadLetters(), workers(), now);
  }

  QueueView.Lane lane(JobLane lane, Instant now) {
    Object[] counts =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    (Object[])
                        em.createNativeQuery(
                                """
                                select count(*),
                                  coalesce(sum(case when run_after is null or run_after <= ?3
                                    then 1 else 0 end), 0),
                                  min(case when run_after is null or run_after <= ?3
                                    then coalesce(run_after, created_at) end)
                                from jobs where state = ?1 and lane = ?2""")
                            .setParameter(1, JobState.QUEUED.name())
                            .setParameter(2, lane.wireName())
                            .setParameter(3, LocalDateTime.ofInstant(now, ZoneOffset.UTC))
                            .getSingleResult());
    long queued = ((Number) counts[0]).longValue();
    long due = ((Number) counts[1]).longValue();
    Instant oldest = instant(counts[2]);
    Double oldestSeconds =
        oldest == null ? null : Math.max(0, Duration.between(oldest, now).toMillis() / 1000.0);
    String name = QueueNames.jobStream(config.redis().namespace(), lane);
    Long lag = null;
    Long pending = null;
    try {
      RStream<String, String> stream = redisson.getStream(name, StringCodec.INSTANCE);
      if (stream.isExists()) {
        for (StreamGroup g : stream.listGroups()) {
          if (QueueNames.WORKER_GROUP.equals(g.getName())) {
            lag = (long) g.getLag();
            pending = (long) g.getPending();
          }
        }
      } else {
        lag = 0L;
        pending = 0L;
      }
    } catch (RuntimeException e) {
      Log.debugf("lane %s: Redis did not answer: %s", lane, e.getMessage());
    }
    return new QueueView.Lane(lane.wireName(), name, queued, due, lag, pending, oldestSeconds);
  }

  List<QueueView.InFlight> inFlight() {
    List<?> rows =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createNativeQuery(
                            """
                            select j.id, j.video_id, j.attempt, j.lane, j.lease_owner,
                              j.lease_expires_at, v.progress_percent, v.progress_stage
                            from jobs j join videos v on v.id = j.video_id
                            where j.state = ?1 order by j.updated_at limit 200""")
                        .setParameter(1, JobState.RUNNING.name())
                        .getResultList());
    List<QueueView.InFlight> out = new ArrayList<>();
    for (Object row : rows) {
      Object[] r = (Object[]) row;
      out.add(
          new QueueView.InFlight(
              (String) r[0],
              (String) r[1],
              ((Number) r[2]).intValue(),
              (String) r[3],
              (String) r[4],
              instant(r[5]),
              r[6] == null ? null : ((Number) r[6]).intValue(),
              (String) r[7]));
    }
    return out;
  }

  QueueView.DeadLetters deadLetters() {
    long dead =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    ((Number)
                            em.createNativeQuery("select count(*) from jobs where state = ?1")
                                .setParameter(1, JobState.DEAD.name())
                                .getSingleResult())
                        .longValue());
    Long stream = null;
    try {
      stream =
          redisson
              .getStream(
                  QueueNames.deadLetterStream(config.redis().namespace()), StringCodec.INSTANCE)
              .size();
    } catch (RuntimeException e) {
      Log.debugf("dead letters: Redis did not answer: %s", e.getMessage());
    }
    return new QueueView.DeadLetters(dead, stream);
  }

  /** Live workers: every heartbeat key that has not expired. */
  public List<WorkerHeartbeat> workers() {
    List<WorkerHeartbeat> out = new ArrayList<>();
    try {
      String prefix = QueueNames.workerKeyPrefix(config.redis().namespace());
      for (String key :
          redisson.getKeys().getKeys(KeysScanOptions.defaults().pattern(prefix + "*"))) {
        Object json = redisson.getBucket(key, StringCodec.INSTANCE).get();
        if (json == null) {
          continue;
        }
        try {
          out.add(WorkerHeartbeat.decode(json.toString()));
        } catch (IllegalArgumentException e) {
          Log.debugf("ignoring unreadable heartbeat %s", key);
        }
      }
    } catch (RuntimeException e) {
      Log.debugf("workers: Redis did not answer: %s", e.getMessage());
    }
    out.sort(Comparator.comparing(WorkerHeartbeat::workerId));
    return out;
  }

  private static Instant instant(Object value) {
    return switch (value) {
      case null -> null;
      case Timestamp t -> t.toLocalDateTime().toInstant(ZoneOffset.UTC);
      case LocalDateTime t -> t.toInstant(ZoneOffset.UTC);
      case Instant i -> i;
      default -> null;
    };
  }
}
