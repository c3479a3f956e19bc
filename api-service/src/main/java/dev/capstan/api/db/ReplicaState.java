package dev.capstan.api.db;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * What this instance knows about the read replica: whether one is configured, whether it answered
 * the last check, and its lag. Reads use it only while it is {@link Status#UP}; it starts {@link
 * Status#DOWN} until the first check has measured it. Exported as {@code
 * capstan_db_replica_lag_seconds} (NaN while unknown) and {@code capstan_db_replica_usable} (1 when
 * reads go to it).
 */
@ApplicationScoped
public class ReplicaState {
  /** Why reads do or do not go to the replica. */
  public enum Status {
    /** No replica datasource: every read uses the primary. */
    NOT_CONFIGURED,
    /** Replicating within the lag bound: lag-tolerant reads go to it. */
    UP,
    /** Answering, but further behind than the bound (or not replicating): reads use the primary. */
    LAGGING,
    /** Not answering: reads use the primary. */
    DOWN
  }

  private volatile Status status = Status.NOT_CONFIGURED;
  private volatile double lagSeconds = Double.NaN;
  private volatile String reason = "no replica configured";

  @Inject
  ReplicaState(MeterRegistry registry) {
    Gauge.builder("capstan.db.replica.lag", this, s -> s.lagSeconds)
        .description("How far the read replica is behind the primary (NaN while unknown)")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("capstan.db.replica.usable", this, s -> s.status == Status.UP ? 1 : 0)
        .description(
            "1 while lag-tolerant reads go to the read replica, 0 while they use the primary")
        .register(registry);
  }

  /** Called once at start: a replica datasource exists; it is used after its first good check. */
  void configured() {
    status = Status.DOWN;
    reason = "not checked yet";
  }

  public Status status() {
    return status;
  }

  public boolean usable() {
    return status == Status.UP;
  }

  public double lagSeconds() {
    return lagSeconds;
  }

  public String reason() {
    return reason;
  }

  void measured(Duration lag, Duration maxLag) {
    lagSeconds = lag.toNanos() / 1e9;
    if (lag.compareTo(maxLag) > 0) {
      change(Status.LAGGING, "lag " + lag + " is over the bound " + maxLag);
    } else {
      change(Status.UP, "replicating");
    }
  }

  void notReplicating(String why) {
    lagSeconds = Double.NaN;
    change(Status.LAGGING, why);
  }

  /** The replica failed a connection or a query: reads use the primary until a check succeeds. */
  void connectionFailed(Exception e) {
    if (status == Status.NOT_CONFIGURED) {
      return;
    }
    lagSeconds = Double.NaN;
    change(Status.DOWN, "unreachable: " + e.getMessage());
  }

  private void change(Status next, String why) {
    Status before = status;
    status = next;
    reason = why;
    if (before != next) {
      if (next == Status.UP) {
        Log.infof("read replica is %s (%s): lag-tolerant reads go to it", next, why);
      } else {
        Log.warnf("read replica is %s (%s): reads use the primary", next, why);
      }
    }
  }
}
