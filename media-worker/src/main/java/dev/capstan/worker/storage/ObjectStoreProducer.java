package dev.capstan.worker.storage;

import dev.capstan.storage.ObjectStore;
import dev.capstan.storage.S3ObjectStore;
import dev.capstan.storage.S3Settings;
import dev.capstan.worker.config.WorkerConfig;
import dev.capstan.worker.tracing.TracingObjectStore;
import io.opentelemetry.api.OpenTelemetry;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the S3 adapter of the {@link ObjectStore} port from configuration, traced. */
public class ObjectStoreProducer {

  @Produces
  @Singleton
  ObjectStore objectStore(WorkerConfig config, OpenTelemetry otel) {
    WorkerConfig.S3 s3 = config.s3();
    S3ObjectStore store =
        new S3ObjectStore(
            new S3Settings(
                s3.endpoint(),
                s3.region(),
                s3.bucket(),
                s3.accessKey(),
                s3.secretKey(),
                s3.pathStyle(),
                S3Settings.DEFAULT_PART_SIZE));
    return new TracingObjectStore(store, otel.getTracer("dev.capstan.worker.s3"));
  }

  void close(@Disposes ObjectStore store) {
    if (store instanceof AutoCloseable closeable) {
      try {
        closeable.close();
      } catch (Exception ignored) {
        // shutting down; nothing useful to do with a failed close
      }
    }
  }
}
