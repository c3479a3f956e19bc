package dev.capstan.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.paginators.ListObjectsV2Iterable;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** {@link ObjectStore} on the AWS SDK v2, for any S3-compatible endpoint. */
public final class S3ObjectStore implements ObjectStore, AutoCloseable {
  private static final long SINGLE_PUT_LIMIT = 64L * 1024 * 1024;

  private final S3Settings settings;
  private final S3Client s3;
  private final S3Presigner presigner;

  public S3ObjectStore(S3Settings settings) {
    this.settings = settings;
    var credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    var s3Config = S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build();
    var builder =
        S3Client.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3Config)
            .httpClientBuilder(ApacheHttpClient.builder().maxConnections(64));
    var presignerBuilder =
        S3Presigner.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .serviceConfiguration(s3Config);
    settings
        .endpoint()
        .ifPresent(
            e -> {
              builder.endpointOverride(e);
              presignerBuilder.endpointOverride(e);
            });
    this.s3 = builder.build();
    this.presigner = presignerBuilder.build();
  }

  public String bucket() {
    return settings.bucket();
  }

  @Override
  public void putFile(String key, Path file, String contentType) {
    try {
      long size = Files.size(file);
      if (size <= SINGLE_PUT_LIMIT) {
        call(
            () ->
                s3.putObject(
                    r -> r.bucket(bucket()).key(key).contentType(contentType),
                    RequestBody.fromFile(file)));
      } else {
        try (InputStream in = Files.newInputStream(file)) {
          putStream(key, in, contentType);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public long putStream(String key, InputStream in, String contentType) {
    int partSize = settings.partSizeBytes();
    byte[] buffer = new byte[partSize];
    try {
      int first = in.readNBytes(buffer, 0, partSize);
      if (first < partSize) {
        // Fits in one part: a plain PUT.
        byte[] body = Arrays.copyOf(buffer, first);
        call(
            () ->
                s3.putObject(
                    r -> r.bucket(bucket()).key(key).contentType(contentType),
                    RequestBody.fromBytes(body)));
        return first;
      }
      String uploadId =
          call(
              () ->
                  s3.createMultipartUpload(
                          r -> r.bucket(bucket()).key(key).contentType(contentType))
                      .uploadId());
      try {
        List<CompletedPart> parts = new ArrayList<>();
        long total = 0;
        int length = first;
        while (length > 0) {
          int partNumber = parts.size() + 1;
          byte[] body = length == partSize ? buffer : Arrays.copyOf(buffer, length);
          String etag =
              call(
                  () ->
                      s3.uploadPart(
                              r ->
                                  r.bucket(bucket())
                                      .key(key)
                                      .uploadId(uploadId)
                                      .partNumber(partNumber),
                              RequestBody.fromBytes(body))
                          .eTag());
          parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
          total += length;
          length = in.readNBytes(buffer, 0, partSize);
        }
        call(
            () ->
                s3.completeMultipartUpload(
                    r ->
                        r.bucket(bucket())
                            .key(key)
                            .uploadId(uploadId)
                            .multipartUpload(
                                CompletedMultipartUpload.builder().parts(parts).build())));
        return total;
      } catch (RuntimeException | IOException e) {
        abortQuietly(key, uploadId);
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void abortQuietly(String key, String uploadId) {
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket()).key(key).uploadId(uploadId));
    } catch (SdkException ignored) {
      // the lifecycle cleanup of abandoned uploads catches what this misses
    }
  }

  @Override
  public void download(String key, Path target) {
    try {
      Files.deleteIfExists(target);
      s3.getObject(r -> r.bucket(bucket()).key(key), ResponseTransformer.toFile(target));
    } catch (NoSuchKeyException e) {
      throw new ObjectNotFoundException(key);
    } catch (SdkException e) {
      throw new ObjectStoreException("download " + key + " failed", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public ObjectStream read(String key) {
    try {
      ResponseInputStream<GetObjectResponse> in = s3.getObject(r -> r.bucket(bucket()).key(key));
      return new ObjectStream(new AbortOnEarlyClose(in), in.response().contentLength());
    } catch (NoSuchKeyException e) {
      throw new ObjectNotFoundException(key);
    } catch (SdkException e) {
      throw new ObjectStoreException("get " + key + " failed", e);
    }
  }

  @Override
  public String getText(String key) {
    try {
      return s3.getObjectAsBytes(r -> r.bucket(bucket()).key(key)).asUtf8String();
    } catch (NoSuchKeyException e) {
      throw new ObjectNotFoundException(key);
    } catch (SdkException e) {
      throw new ObjectStoreException("get " + key + " failed", e);
    }
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(bucket()).key(key));
      return Optional.of(new ObjectInfo(key, r.contentLength(), r.contentType(), r.eTag()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return Optional.empty();
      }
      throw new ObjectStoreException("head " + key + " failed", e);
    } catch (SdkException e) {
      throw new ObjectStoreException("head " + key + " failed", e);
    }
  }

  @Override
  public URI presignGet(String key, Duration ttl) {
    try {
      return presigner
          .presignGetObject(
              p -> p.signatureDuration(ttl).getObjectRequest(g -> g.bucket(bucket()).key(key)))
          .url()
          .toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void delete(String key) {
    call(() -> s3.deleteObject(r -> r.bucket(bucket()).key(key)));
  }

  @Override
  public int deletePrefix(String prefix) {
    ListObjectsV2Iterable pages = s3.listObjectsV2Paginator(r -> r.bucket(bucket()).prefix(prefix));
    int deleted = 0;
    for (var page : pages) {
      List<ObjectIdentifier> ids =
          page.contents().stream()
              .map(S3Object::key)
              .map(k -> ObjectIdentifier.builder().key(k).build())
              .toList();
      if (!ids.isEmpty()) {
        call(() -> s3.deleteObjects(r -> r.bucket(bucket()).delete(d -> d.objects(ids))));
        deleted += ids.size();
      }
    }
    return deleted;
  }

  @Override
  public String startMultipart(String key, String contentType) {
    return call(
        () ->
            s3.createMultipartUpload(r -> r.bucket(bucket()).key(key).contentType(contentType))
                .uploadId());
  }

  @Override
  public URI presignUploadPart(String key, String uploadId, int partNumber, Duration ttl) {
    try {
      return presigner
          .presignUploadPart(
              p ->
                  p.signatureDuration(ttl)
                      .uploadPartRequest(
                          u ->
                              u.bucket(bucket())
                                  .key(key)
                                  .uploadId(uploadId)
                                  .partNumber(partNumber)))
          .url()
          .toURI();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) {
    try {
      List<PartInfo> parts = new ArrayList<>();
      for (var page : s3.listPartsPaginator(r -> r.bucket(bucket()).key(key).uploadId(uploadId))) {
        page.parts().forEach(p -> parts.add(new PartInfo(p.partNumber(), p.eTag(), p.size())));
      }
      return parts;
    } catch (NoSuchUploadException e) {
      throw new ObjectNotFoundException(key + " (upload " + uploadId + ")");
    } catch (SdkException e) {
      throw new ObjectStoreException("list parts of " + key + " failed", e);
    }
  }

  @Override
  public void completeMultipart(String key, String uploadId, List<PartInfo> parts) {
    List<CompletedPart> completed =
        parts.stream()
            .map(p -> CompletedPart.builder().partNumber(p.partNumber()).eTag(p.etag()).build())
            .toList();
    try {
      s3.completeMultipartUpload(
          r ->
              r.bucket(bucket())
                  .key(key)
                  .uploadId(uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(completed).build()));
    } catch (NoSuchUploadException e) {
      throw new ObjectNotFoundException(key + " (upload " + uploadId + ")");
    } catch (SdkException e) {
      throw new ObjectStoreException("complete " + key + " failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void abortMultipart(String key, String uploadId) {
    try {
      s3.abortMultipartUpload(r -> r.bucket(bucket()).key(key).uploadId(uploadId));
    } catch (NoSuchUploadException e) {
      // already gone: aborting is idempotent
    } catch (SdkException e) {
      throw new ObjectStoreException("abort " + key + " failed", e);
    }
  }

  @Override
  public List<PendingUpload> pendingUploads(String prefix) {
    List<PendingUpload> pending = new ArrayList<>();
    for (var page : s3.listMultipartUploadsPaginator(r -> r.bucket(bucket()).prefix(prefix))) {
      page.uploads()
          .forEach(u -> pending.add(new PendingUpload(u.key(), u.uploadId(), u.initiated())));
    }
    return pending;
  }

  @Override
  public void ping() {
    // Readiness probes must answer quickly even when the store hangs.
    call(
        () ->
            s3.headBucket(
                r ->
                    r.bucket(bucket())
                        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofSeconds(3)))));
  }

  @Override
  public void close() {
    presigner.close();
    s3.close();
  }

  private static <T> T call(Supplier<T> op) {
    try {
      return op.get();
    } catch (SdkException e) {
      throw new ObjectStoreException(e.getMessage(), e);
    }
  }

  /**
   * Closing a response body before its end aborts the connection: the HTTP client would otherwise
   * read the rest of the object (maybe gigabytes) to keep the connection for reuse.
   */
  private static final class AbortOnEarlyClose extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private boolean ended;

    AbortOnEarlyClose(ResponseInputStream<GetObjectResponse> response) {
      super(response);
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      ended |= n < 0;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (!ended) {
        response.abort();
      }
      super.close();
    }
  }
}
