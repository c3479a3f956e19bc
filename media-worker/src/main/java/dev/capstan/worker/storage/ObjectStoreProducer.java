package dev.capstan.worker.storage;

import dev.capstan.storage.ObjectStore;
import dev.capstan.storage.S3ObjectStore;
import dev.capstan.storage.S3Settings;
import dev.capstan.worker.config.WorkerConfig;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Wires the S3 adapter of the {@link ObjectStore} port from configuration. */
public class ObjectStoreProducer {

  @Produces
  @Singleton
  ObjectStore objectStore(WorkerConfig config) {
    WorkerConfig.S3 s3 = config.s3();
    return new S3ObjectStore(
        new S3Settings(
            s3.endpoint(),
            s3.region(),
            s3.bucket(),
            s3.accessKey(),
            s3.secretKey(),
            s3.pathStyle(),
            S3Settings.DEFAULT_PART_SIZE));
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
