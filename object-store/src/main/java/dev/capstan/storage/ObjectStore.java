package dev.capstan.storage;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Port to the object store (S3 or anything that speaks it). Keys come from {@code S3Keys}. */
public interface ObjectStore {

  /** What the store knows of one object. */
  record ObjectInfo(String key, long sizeBytes, String contentType, String etag) {}

  /** A part of a multipart upload the store holds. */
  record PartInfo(int partNumber, String etag, long sizeBytes) {}

  /** A multipart upload that was started and neither completed nor aborted. */
  record PendingUpload(String key, String uploadId, Instant initiated) {}

  /** Uploads a file (multipart for big files). */
  void putFile(String key, Path file, String contentType);

  /**
   * Uploads a stream of unknown length without holding it in memory: parts of {@code partSize}
   * bytes are buffered one at a time. Returns the number of bytes stored.
   */
  long putStream(String key, InputStream in, String contentType);

  /** Downloads an object to a file, replacing it. */
  void download(String key, Path target);

  /**
   * An object's bytes as they arrive, with its whole length known up front (so a reader can start
   * on the head of a big object while the rest is still on its way). The caller closes the stream.
   *
   * @throws ObjectNotFoundException when there is no such object
   */
  ObjectStream read(String key);

  /** An object being read: its bytes in order and how many there will be. */
  record ObjectStream(InputStream body, long sizeBytes) implements AutoCloseable {
    @Override
    public void close() throws java.io.IOException {
      body.close();
    }
  }

  Optional<ObjectInfo> head(String key);

  /**
   * A small UTF-8 text object (a playlist) read whole into memory.
   *
   * @throws ObjectNotFoundException when there is no such object
   */
  String getText(String key);

  /** A URL anyone can GET for {@code ttl}, without credentials. */
  URI presignGet(String key, Duration ttl);

  void delete(String key);

  /** Deletes every object under a prefix; returns how many. */
  int deletePrefix(String prefix);

  /** Starts a multipart upload whose parts clients send straight to the store. */
  String startMultipart(String key, String contentType);

  /** A URL that lets anyone PUT one part of an upload for {@code ttl}. */
  URI presignUploadPart(String key, String uploadId, int partNumber, Duration ttl);

  /** Parts received so far, in order; a resumed client sends only the others. */
  List<PartInfo> listParts(String key, String uploadId);

  /** Assembles the object from the given parts (number and ETag of each). */
  void completeMultipart(String key, String uploadId, List<PartInfo> parts);

  void abortMultipart(String key, String uploadId);

  /** Multipart uploads under a prefix that were never completed or aborted. */
  List<PendingUpload> pendingUploads(String prefix);

  /** Cheap reachability check of the bucket, for readiness. */
  void ping();
}
