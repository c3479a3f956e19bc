package dev.capstan.api.storage;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.storage.ObjectStore;
import dev.capstan.storage.S3ObjectStore;
import dev.capstan.storage.S3Settings;
import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** Wires the S3 adapter of the {@link ObjectStore} port from {@code capstan.s3.*}. */
@ApplicationScoped
public class ObjectStoreProducer {

  @Produces
  @ApplicationScoped
  @DefaultBean
  S3ObjectStore objectStore(ApiConfig config) {
    ApiConfig.S3 s3 = config.s3();
    return new S3ObjectStore(
        new S3Settings(
            s3.endpoint(),
            s3.region(),
            s3.bucket(),
            s3.accessKey(),
            s3.secretKey(),
            s3.pathStyle(),
            s3.partSizeBytes()));
  }

  void close(@Disposes S3ObjectStore store) {
    store.close();
  }
}
