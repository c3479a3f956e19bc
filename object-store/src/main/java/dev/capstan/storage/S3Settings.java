package dev.capstan.storage;

import java.net.URI;
import java.util.Optional;

/**
 * How to reach the bucket. {@code endpoint} empty means AWS itself; set it (and usually {@code
 * pathStyle}) for MinIO, R2, B2 or the embedded S3.
 */
public record S3Settings(
    Optional<URI> endpoint,
    String region,
    String bucket,
    String accessKey,
    String secretKey,
    boolean pathStyle,
    int partSizeBytes) {

  public static final int DEFAULT_PART_SIZE = 8 * 1024 * 1024;
}
