package dev.capstan.api.health;

import dev.capstan.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** The bucket answers. */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {
  @Inject ObjectStore store;

  @Override
  public HealthCheckResponse call() {
    try {
      store.ping();
      return HealthCheckResponse.up("s3");
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("s3")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
