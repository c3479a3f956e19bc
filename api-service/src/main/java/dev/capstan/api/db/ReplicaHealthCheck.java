package dev.capstan.api.db;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The read replica in {@code /q/health/ready}: always UP, because the primary serves every read
 * when the replica cannot; {@code state} says {@code up}, {@code lagging}, {@code down} (both
 * "degraded") or {@code not_configured}.
 */
@Readiness
@ApplicationScoped
public class ReplicaHealthCheck implements HealthCheck {
  @Inject ReplicaState replica;

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder b =
        HealthCheckResponse.named("database-replica")
            .up()
            .withData("state", replica.status().name().toLowerCase())
            .withData(
                "reads",
                replica.usable()
                    ? "lag-tolerant reads on the replica"
                    : "every read on the primary");
    if (replica.status() == ReplicaState.Status.LAGGING
        || replica.status() == ReplicaState.Status.DOWN) {
      b.withData("degraded", true).withData("reason", replica.reason());
    }
    if (!Double.isNaN(replica.lagSeconds())) {
      b.withData("lagSeconds", String.format(java.util.Locale.ROOT, "%.3f", replica.lagSeconds()));
    }
    return b.build();
  }
}
