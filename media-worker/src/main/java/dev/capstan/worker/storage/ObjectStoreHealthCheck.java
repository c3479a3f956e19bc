package dev.capstan.worker.storage;

import dev.capstan.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the bucket answers: without it no job can read a source or write output. */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements HealthCheck {
  private final ObjectStore store;

  public ObjectStoreHealthCheck(ObjectStore store) {
    this.store = store;
  }

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
