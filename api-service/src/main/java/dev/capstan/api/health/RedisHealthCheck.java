package dev.capstan.api.health;

import dev.capstan.api.job.queue.JobPublisher;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Redis carries the jobs to the workers. */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements HealthCheck {
  @Inject JobPublisher publisher;

  @Override
  public HealthCheckResponse call() {
    try {
      publisher.ping();
      return HealthCheckResponse.up("redis");
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("redis").down().withData("error", e.getMessage()).build();
    }
  }
}
