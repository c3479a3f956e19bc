package dev.capstan.api.upload.service;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.Conflict;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.error.PayloadTooLarge;
import dev.capstan.api.error.ServiceUnavailable;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.model.api.UploadMessages.CompleteUploadRequest;
import dev.capstan.model.api.UploadMessages.CompletedPart;
import dev.capstan.model.api.UploadMessages.PartUrl;
import dev.capstan.model.api.UploadMessages.ReceivedPart;
import dev.capstan.model.api.UploadMessages.StartUploadRequest;
import dev.capstan.model.api.UploadMessages.UploadView;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.storage.UploadPlan;
import dev.capstan.model.video.VideoStatus;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.ObjectStore;
import dev.capstan.storage.ObjectStore.PartInfo;
import dev.capstan.storage.ObjectStoreException;
import io.quarkus.logging.Log;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Uploads that go straight from the client to the object store: the API starts a multipart upload,
 * hands out presigned part URLs, and on completion checks what arrived before queueing the video.
 * The bytes never pass through the API.
 */
@ApplicationScoped
public class DirectUploadService {
  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  @Inject ObjectStore store;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject VideoService videos;

  public UploadView start(String userId, String videoId, StartUploadRequest request) {
    long size = request.sizeBytes();
    if (size > config.upload().maxBytes()) {
      throw new PayloadTooLarge(config.upload().maxBytes());
    }
    VideoEntity video = QuarkusTransaction.requiringNew().call(() -> awaiting(userId, videoId));
    String key = S3Keys.source(videoId);
    if (video.uploadId != null) {
      if (video.uploadSizeBytes == size) {
        return describe(video); // resume: same file, same upload
      }
      abortQuietly(key, video.uploadId);
    }
    UploadPlan plan = UploadPlan.forSize(size);
    String contentType =
        request.contentType() == null || request.contentType().isBlank()
            ? DEFAULT_CONTENT_TYPE
            : request.contentType();
    String uploadId;
    try {
      uploadId = store.startMultipart(key, contentType);
    } catch (ObjectStoreException e) {
      throw storageDown();
    }
    String previous = video.uploadId;
    int updated =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    VideoEntity.update(
                        "uploadId = ?1, uploadSizeBytes = ?2, uploadPartBytes = ?3,"
                            + " uploadStartedAt = ?4, sourceContentType = ?5, updatedAt = ?4"
                            + " where id = ?6 and status = ?7 and "
                            + (previous == null ? "uploadId is null" : "uploadId = ?8"),
                        params(
                            uploadId,
                            size,
                            plan.partSize(),
                            now(),
                            contentType,
                            videoId,
                            VideoStatus.AWAITING_UPLOAD.wireName(),
                            previous)));
    if (updated == 0) {
      abortQuietly(key, uploadId);
      throw new Conflict("upload_in_progress", "another upload of this video started meanwhile");
    }
    return QuarkusTransaction.requiringNew()
        .call(() -> describe(VideoEntity.<VideoEntity>findById(videoId)));
  }

  /** The upload in progress: parts received and fresh URLs for the rest (resume). */
  public UploadView status(String userId, String videoId) {
    VideoEntity video = QuarkusTransaction.requiringNew().call(() -> owned(userId, videoId));
    if (video.uploadId == null) {
      throw new NotFound("upload");
    }
    return describe(video);
  }

  public VideoView complete(String userId, String videoId, CompleteUploadRequest request) {
    VideoEntity video = QuarkusTransaction.requiringNew().call(() -> awaiting(userId, videoId));
    if (video.uploadId == null) {
      throw new Conflict("no_upload", "start an upload first: POST .../uploads");
    }
    UploadPlan plan = UploadPlan.forSize(video.uploadSizeBytes);
    List<CompletedPart> parts =
        request.parts().stream()
            .sorted(Comparator.comparingInt(CompletedPart::partNumber))
            .toList();
    Set<Integer> numbers =
        parts.stream().map(CompletedPart::partNumber).collect(Collectors.toSet());
    if (numbers.size() != plan.partCount()
        || parts.get(0).partNumber() != 1
        || parts.get(parts.size() - 1).partNumber() != plan.partCount()) {
      throw new BadRequest(
          "incomplete_upload",
          "send parts 1.." + plan.partCount() + " exactly once each; got " + numbers.size());
    }
    String key = S3Keys.source(videoId);
    try {
      store.completeMultipart(
          key,
          video.uploadId,
          parts.stream().map(p -> new PartInfo(p.partNumber(), p.etag(), 0)).toList());
    } catch (ObjectNotFoundException e) {
      clear(videoId, video.uploadId);
      throw new Conflict("no_upload", "the upload is gone (aborted or expired); start again");
    } catch (ObjectStoreException e) {
      throw new BadRequest(
          "upload_rejected",
          "the store refused to assemble the parts (missing part or wrong etag): "
              + e.getMessage());
    }
    long stored = store.head(key).map(ObjectStore.ObjectInfo::sizeBytes).orElse(-1L);
    if (stored != video.uploadSizeBytes) {
      store.delete(key);
      clear(videoId, video.uploadId);
      throw new BadRequest(
          "size_mismatch",
          "announced " + video.uploadSizeBytes + " bytes but " + stored + " arrived; start again");
    }
    return videos.queueUploaded(videoId, key, stored, video.sourceContentType);
  }

  public void abort(String userId, String videoId) {
    VideoEntity video = QuarkusTransaction.requiringNew().call(() -> owned(userId, videoId));
    if (video.uploadId == null) {
      throw new NotFound("upload");
    }
    abortQuietly(S3Keys.source(videoId), video.uploadId);
    clear(videoId, video.uploadId);
  }

  /**
   * Aborts uploads nobody finished: those the database knows (the video goes back to waiting) and
   * orphans the store still holds (e.g. of deleted videos).
   */
  @Scheduled(
      every = "${capstan.upload.cleanup-every}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public void abortAbandoned() {
    Instant before = now().minus(config.upload().abandonAfter());
    List<VideoEntity> stale =
        QuarkusTransaction.requiringNew().call(() -> VideoEntity.abandonedUploads(before, 100));
    for (VideoEntity v : stale) {
      abortQuietly(S3Keys.source(v.id), v.uploadId);
      clear(v.id, v.uploadId);
    }
    try {
      for (var pending : store.pendingUploads("videos/")) {
        if (pending.initiated() != null && pending.initiated().isBefore(before)) {
          abortQuietly(pending.key(), pending.uploadId());
        }
      }
    } catch (ObjectStoreException e) {
      Log.warnf("could not list pending uploads: %s", e.getMessage());
    }
  }

  private UploadView describe(VideoEntity video) {
    UploadPlan plan = UploadPlan.forSize(video.uploadSizeBytes);
    String key = S3Keys.source(video.id);
    List<PartInfo> received;
    try {
      received = store.listParts(key, video.uploadId);
    } catch (ObjectNotFoundException e) {
      clear(video.id, video.uploadId);
      throw new Conflict("no_upload", "the upload is gone (aborted or expired); start again");
    } catch (ObjectStoreException e) {
      throw storageDown();
    }
    Set<Integer> done =
        received.stream()
            .filter(p -> p.sizeBytes() == plan.sizeOfPart(p.partNumber()))
            .map(PartInfo::partNumber)
            .collect(Collectors.toSet());
    Duration ttl = config.upload().partUrlTtl();
    List<PartUrl> urls =
        IntStream.rangeClosed(1, plan.partCount())
            .filter(n -> !done.contains(n))
            .mapToObj(n -> new PartUrl(n, store.presignUploadPart(key, video.uploadId, n, ttl)))
            .toList();
    return new UploadView(
        video.uploadId,
        plan.sizeBytes(),
        plan.partSize(),
        plan.partCount(),
        urls,
        received.stream()
            .map(p -> new ReceivedPart(p.partNumber(), p.etag(), p.sizeBytes()))
            .toList(),
        now().plus(ttl));
  }

  private VideoEntity owned(String userId, String videoId) {
    return VideoEntity.findOwned(videoId, userId).orElseThrow(() -> new NotFound("video"));
  }

  private VideoEntity awaiting(String userId, String videoId) {
    VideoEntity v = owned(userId, videoId);
    if (!VideoStatus.AWAITING_UPLOAD.wireName().equals(v.status)) {
      throw new Conflict("already_uploaded", "this video already has its source");
    }
    return v;
  }

  private void clear(String videoId, String uploadId) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                VideoEntity.update(
                    "uploadId = null, uploadSizeBytes = null, uploadPartBytes = null,"
                        + " uploadStartedAt = null where id = ?1 and uploadId = ?2",
                    videoId,
                    uploadId));
  }

  private void abortQuietly(String key, String uploadId) {
    try {
      store.abortMultipart(key, uploadId);
    } catch (ObjectStoreException e) {
      Log.warnf("could not abort upload %s of %s: %s", uploadId, key, e.getMessage());
    }
  }

  private static Object[] params(Object... values) {
    return values[values.length - 1] == null ? Arrays.copyOf(values, values.length - 1) : values;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static ServiceUnavailable storageDown() {
    return new ServiceUnavailable("storage_unavailable", "the object store did not answer");
  }
}
