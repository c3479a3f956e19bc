package dev.capstan.worker.tracing;

import dev.capstan.storage.ObjectStore;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The {@link ObjectStore} port with a client span per S3 call that moves data or changes state
 * (named {@code s3.<operation>}, with the bucket key), so a job's trace shows where its time went.
 * Presigning is local computation and is not traced.
 */
public final class TracingObjectStore implements ObjectStore, AutoCloseable {
  private final ObjectStore delegate;
  private final Tracer tracer;

  public TracingObjectStore(ObjectStore delegate, Tracer tracer) {
    this.delegate = delegate;
    this.tracer = tracer;
  }

  private <T> T traced(String operation, String key, Supplier<T> call) {
    Span span =
        tracer
            .spanBuilder("s3." + operation)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("rpc.system", "aws-api")
            .setAttribute("rpc.method", operation)
            .setAttribute("capstan.s3.key", key)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      return call.get();
    } catch (RuntimeException e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
      throw e;
    } finally {
      span.end();
    }
  }

  private void tracedRun(String operation, String key, Runnable call) {
    traced(
        operation,
        key,
        () -> {
          call.run();
          return null;
        });
  }

  @Override
  public void putFile(String key, Path file, String contentType) {
    tracedRun("PutObject", key, () -> delegate.putFile(key, file, contentType));
  }

  @Override
  public long putStream(String key, InputStream in, String contentType) {
    return traced("PutObject", key, () -> delegate.putStream(key, in, contentType));
  }

  @Override
  public void download(String key, Path target) {
    tracedRun("GetObject", key, () -> delegate.download(key, target));
  }

  @Override
  public ObjectStream read(String key) {
    return traced("GetObject", key, () -> delegate.read(key));
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    return traced("HeadObject", key, () -> delegate.head(key));
  }

  @Override
  public String getText(String key) {
    return traced("GetObject", key, () -> delegate.getText(key));
  }

  @Override
  public URI presignGet(String key, Duration ttl) {
    return delegate.presignGet(key, ttl);
  }

  @Override
  public void delete(String key) {
    tracedRun("DeleteObject", key, () -> delegate.delete(key));
  }

  @Override
  public int deletePrefix(String prefix) {
    return traced("DeleteObjects", prefix, () -> delegate.deletePrefix(prefix));
  }

  @Override
  public String startMultipart(String key, String contentType) {
    return traced("CreateMultipartUpload", key, () -> delegate.startMultipart(key, contentType));
  }

  @Override
  public URI presignUploadPart(String key, String uploadId, int partNumber, Duration ttl) {
    return delegate.presignUploadPart(key, uploadId, partNumber, ttl);
  }

  @Override
  public List<PartInfo> listParts(String key, String uploadId) {
    return traced("ListParts", key, () -> delegate.listParts(key, uploadId));
  }

  @Override
  public void completeMultipart(String key, String uploadId, List<PartInfo> parts) {
    tracedRun(
        "CompleteMultipartUpload", key, () -> delegate.completeMultipart(key, uploadId, parts));
  }

  @Override
  public void abortMultipart(String key, String uploadId) {
    tracedRun("AbortMultipartUpload", key, () -> delegate.abortMultipart(key, uploadId));
  }

  @Override
  public List<PendingUpload> pendingUploads(String prefix) {
    return traced("ListMultipartUploads", prefix, () -> delegate.pendingUploads(prefix));
  }

  @Override
  public void ping() {
    delegate.ping();
  }

  @Override
  public void close() throws Exception {
    if (delegate instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }
}
