package dev.capstan.deploy;

import dev.capstan.devtools.fixtures.LocalS3Process;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The test's own view of the embedded S3 bucket, independent of the scripts' S3 tools. */
final class S3Bucket implements AutoCloseable {
  private final S3Client s3;
  private final String bucket;

  S3Bucket(LocalS3Process server) {
    this.bucket = server.bucket();
    this.s3 =
        S3Client.builder()
            .endpointOverride(URI.create(server.endpoint()))
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                        LocalS3Process.ACCESS_KEY, LocalS3Process.SECRET_KEY)))
            .forcePathStyle(true)
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();
  }

  List<String> keys(String prefix) {
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .sorted()
        .toList();
  }

  void put(String key, byte[] bytes) {
    s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
  }

  void deletePrefix(String prefix) {
    keys(prefix).forEach(k -> s3.deleteObject(b -> b.bucket(bucket).key(k)));
  }

  @Override
  public void close() {
    s3.close();
  }
}
