package dev.capstan.api.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplicaStateTest {
  private static final Duration BOUND = Duration.ofSeconds(5);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ReplicaState state = new ReplicaState(registry);

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void without_a_replica_nothing_is_routed_to_it_whatever_happens() {
    state.connectionFailed(new SQLException("boom"));
    assertThat(state.status()).isEqualTo(ReplicaState.Status.NOT_CONFIGURED);
    assertThat(state.usable()).isFalse();
    assertThat(gauge("capstan.db.replica.usable")).isZero();
  }

  @Test
  void a_configured_replica_is_used_only_after_a_check_within_the_bound() {
    state.configured();
    assertThat(state.usable()).isFalse();
    state.measured(Duration.ofMillis(300), BOUND);
    assertThat(state.usable()).isTrue();
    assertThat(gauge("capstan.db.replica.lag")).isEqualTo(0.3);
    assertThat(gauge("capstan.db.replica.usable")).isEqualTo(1);
  }

  @Test
  void lag_past_the_bound_or_a_failure_takes_it_out_until_a_good_check() {
    state.configured();
    state.measured(Duration.ofSeconds(6), BOUND);
    assertThat(state.status()).isEqualTo(ReplicaState.Status.LAGGING);
    assertThat(state.reason()).contains("over the bound");
    state.measured(Duration.ofSeconds(1), BOUND);
    assertThat(state.usable()).isTrue();

    state.connectionFailed(new SQLException("Connection refused"));
    assertThat(state.status()).isEqualTo(ReplicaState.Status.DOWN);
    assertThat(Double.isNaN(gauge("capstan.db.replica.lag"))).isTrue();
    state.notReplicating("no heartbeat");
    assertThat(state.status()).isEqualTo(ReplicaState.Status.LAGGING);
    state.measured(Duration.ZERO, BOUND);
    assertThat(state.usable()).isTrue();
  }
}
