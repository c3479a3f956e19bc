package dev.capstan.api.db;

import dev.capstan.api.config.ApiConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * Measures the replica's lag with a heartbeat row (table {@code replication_heartbeat}) that every
 * check writes on the primary. A replica holding the primary's newest beat is caught up (lag 0);
 * otherwise its lag is the age of the beat it holds, by its own clock, so it is exact to one check
 * interval. This needs no privilege beyond the application's own (unlike {@code SHOW REPLICA
 * STATUS}) and works on MariaDB and MySQL alike; a replica whose SQL thread stopped shows a growing
 * lag, one that does not answer is down.
 */
@ApplicationScoped
public class ReplicaMonitor {
  private static final int QUERY_TIMEOUT_SECONDS = 2;

  @Inject AgroalDataSource routing;
  @Inject ReplicaState state;
  @Inject ApiConfig config;

  @Scheduled(
      identity = "replica-lag",
      every = "${capstan.db.replica-check-every}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void check() {
    Optional<AgroalDataSource> replica =
        AgroalDataSourceUtil.dataSourceIfActive(DataSourceRouting.REPLICA);
    if (replica.isEmpty()) {
      return;
    }
    Optional<LocalDateTime> newest = newestBeat();
    measure(replica.get(), newest);
    beat();
  }

  private Optional<LocalDateTime> newestBeat() {
    try (Connection c = routing.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet rs =
          s.executeQuery("SELECT beat_at FROM replication_heartbeat WHERE id = 1")) {
        return rs.next()
            ? Optional.ofNullable(rs.getObject(1, LocalDateTime.class))
            : Optional.empty();
      }
    } catch (SQLException e) {
      return Optional.empty();
    }
  }

  private void measure(AgroalDataSource replica, Optional<LocalDateTime> newest) {
    try (Connection c = replica.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      try (ResultSet rs =
          s.executeQuery(
              "SELECT beat_at, TIMESTAMPDIFF(MICROSECOND, beat_at, UTC_TIMESTAMP(6))"
                  + " FROM replication_heartbeat WHERE id = 1")) {
        LocalDateTime held = rs.next() ? rs.getObject(1, LocalDateTime.class) : null;
        if (held == null) {
          state.notReplicating("no heartbeat has reached the replica yet");
          return;
        }
        boolean caughtUp = newest.isPresent() && !held.isBefore(newest.get());
        long micros = caughtUp ? 0 : Math.max(0, rs.getLong(2));
        state.measured(Duration.ofNanos(micros * 1000), config.db().replicaMaxLag());
      }
    } catch (SQLException e) {
      state.connectionFailed(e);
    }
  }

  private void beat() {
    // Outside any lag-tolerant read, the routing datasource hands out primary connections.
    try (Connection c = routing.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
      s.executeUpdate("UPDATE replication_heartbeat SET beat_at = UTC_TIMESTAMP(6) WHERE id = 1");
    } catch (SQLException e) {
      Log.debugf("replication heartbeat not written: %s", e.getMessage());
    }
  }
}
