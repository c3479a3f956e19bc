package dev.capstan.worker.queue;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the consumer thread runs: a worker whose loop died takes no jobs and must restart. */
@Liveness
@ApplicationScoped
public class ConsumerLivenessCheck implements HealthCheck {
  private final JobConsumer consumer;

  public ConsumerLivenessCheck(JobConsumer consumer) {
    this.consumer = consumer;
  }

  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.named("job consumer").status(consumer.healthy()).build();
  }
}
