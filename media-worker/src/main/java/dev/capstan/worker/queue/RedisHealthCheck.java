package dev.capstan.worker.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while Redis answers PING: the job stream lives there. */
@Readiness
@ApplicationScoped
public class RedisHealthCheck implements HealthCheck {
  private final JobQueue queue;

  public RedisHealthCheck(JobQueue queue) {
    this.queue = queue;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      queue.ping();
      return HealthCheckResponse.up("redis");
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("redis")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
