package dev.capstan.cli.upload;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a resumable upload remembers between runs: which file (path, size, modification time), which
 * video and upload it became, and the parts this client saw stored (part number to ETag). The
 * server stays the authority on which parts it has; this is what lets a second run find the video.
 */
public record UploadState(
    String path,
    long sizeBytes,
    long modifiedMillis,
    String videoId,
    String uploadId,
    long partSize,
    int partCount,
    TreeMap<Integer, String> partsDone,
    Instant startedAt) {

  public static UploadState started(SourceFile file, String videoId, Instant now) {
    return new UploadState(
        file.path().toString(),
        file.sizeBytes(),
        file.modifiedMillis(),
        videoId,
        null,
        0,
        0,
        new TreeMap<>(),
        now);
  }

  public UploadState withUpload(String uploadId, long partSize, int partCount) {
    return new UploadState(
        path,
        sizeBytes,
        modifiedMillis,
        videoId,
        uploadId,
        partSize,
        partCount,
        new TreeMap<>(partsDone),
        startedAt);
  }

  public UploadState withParts(Map<Integer, String> done) {
    return new UploadState(
        path,
        sizeBytes,
        modifiedMillis,
        videoId,
        uploadId,
        partSize,
        partCount,
        new TreeMap<>(done),
        startedAt);
  }

  public boolean describes(SourceFile file) {
    return path.equals(file.path().toString())
        && sizeBytes == file.sizeBytes()
        && modifiedMillis == file.modifiedMillis();
  }
}
