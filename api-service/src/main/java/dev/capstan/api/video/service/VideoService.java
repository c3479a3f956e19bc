package dev.capstan.api.video.service;

import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.Conflict;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.error.ServiceUnavailable;
import dev.capstan.api.event.VideoEventHub;
import dev.capstan.api.job.service.JobDispatcher;
import dev.capstan.api.playback.HlsUrls;
import dev.capstan.api.storage.MediaUrls;
import dev.capstan.api.storage.StorageDeletions;
import dev.capstan.api.upload.LimitedInputStream;
import dev.capstan.api.video.persistence.RenditionEntity;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.webhook.service.WebhookService;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.VideoMessages.CreateVideoRequest;
import dev.capstan.model.api.VideoMessages.Playback;
import dev.capstan.model.api.VideoMessages.Progress;
import dev.capstan.model.api.VideoMessages.Rendition;
import dev.capstan.model.api.VideoMessages.Storyboard;
import dev.capstan.model.api.VideoMessages.UpdateVideoRequest;
import dev.capstan.model.api.VideoMessages.VideoError;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.storage.S3Keys;
import dev.capstan.model.video.VideoStatus;
import dev.capstan.storage.ObjectStore;
import dev.capstan.storage.ObjectStoreException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Videos: create, take the source bytes (streamed to the object store, never held whole), queue the
 * transcode in the same transaction that marks the video queued, and show it back.
 */
@ApplicationScoped
public class VideoService {
  static final String DEFAULT_TITLE = "Untitled video";
  static final String DEFAULT_CONTENT_TYPE = "application/octet-stream";

  @Inject ObjectStore store;
  @Inject JobDispatcher jobs;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject StorageDeletions deletions;
  @Inject VideoEventHub events;
  @Inject WebhookService webhooks;
  @Inject VideoCache cache;
  @Inject MediaUrls urls;

  public VideoView create(String userId, CreateVideoRequest request) {
    return QuarkusTransaction.requiringNew().call(() -> view(newVideo(userId, request)));
  }

  /** Streams a raw request body to the video's source and queues it. */
  public VideoView uploadSource(
      String userId, String videoId, InputStream body, String contentType) {
    QuarkusTransaction.requiringNew().run(() -> requireAwaitingUpload(userId, videoId));
    String key = S3Keys.source(videoId);
    String type = contentType == null ? DEFAULT_CONTENT_TYPE : contentType;
    long size;
    try {
      size = store.putStream(key, new LimitedInputStream(body, config.upload().maxBytes()), type);
    } catch (UncheckedIOException e) {
      throw new BadRequest(
          "upload_incomplete", "the upload ended before the body was complete; send it again");
    } catch (ObjectStoreException e) {
      throw storageDown(e);
    }
    if (size == 0) {
      store.delete(key);
      throw emptyUpload();
    }
    return markQueued(videoId, key, size, type);
  }

  /** One-shot upload: creates the video from a multipart file part and queues it. */
  public VideoView createFromFile(String userId, String title, Path file, String contentType) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (size == 0) {
      throw emptyUpload();
    }
    VideoEntity video =
        QuarkusTransaction.requiringNew()
            .call(() -> newVideo(userId, new CreateVideoRequest(title, null)));
    String key = S3Keys.source(video.id);
    String type = contentType == null ? DEFAULT_CONTENT_TYPE : contentType;
    try {
      store.putFile(key, file, type);
    } catch (ObjectStoreException e) {
      throw storageDown(e);
    }
    return markQueued(video.id, key, size, type);
  }

  /** The caller's video; served from the metadata cache when it holds it. */
  public Optional<VideoView> find(String userId, String videoId) {
    return snapshotOwned(userId, videoId).map(this::view);
  }

  /** Any video by id if this instance holds it in memory; never blocks. */
  public Optional<VideoSnapshot> snapshotInMemory(String videoId) {
    return cache.peek(videoId);
  }

  /** The caller's video as the API sees it (cached like {@link #find}), for its playlists. */
  public Optional<VideoSnapshot> snapshotOwned(String userId, String videoId) {
    return snapshot(videoId).filter(s -> s.userId().equals(userId));
  }

  /** Any video by id, whoever owns it (share links check their own rights); cached. */
  public Optional<VideoSnapshot> snapshot(String videoId) {
    return cache.get(
        videoId,
        () ->
            QuarkusTransaction.requiringNew()
                .call(
                    () -> VideoEntity.<VideoEntity>findByIdOptional(videoId).map(this::snapshot)));
  }

  /** What the API answers for a snapshot (presigned playback URLs included). */
  public VideoView viewOf(VideoSnapshot v) {
    return view(v);
  }

  /** The caller's videos, newest first, one keyset page; renditions in one query, no N+1. */
  @ToleratesLag
  public Page<VideoView> list(String userId, Integer limit, String cursor) {
    int size = Cursor.limit(limit);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              List<VideoEntity> rows = VideoEntity.pageOf(userId, Cursor.parse(cursor), size + 1);
              return Keyset.page(
                  rows,
                  size,
                  v -> new Cursor(v.createdAt, v.id),
                  page -> {
                    Map<String, List<RenditionEntity>> renditions =
                        RenditionEntity.ofVideos(page.stream().map(v -> v.id).toList());
                    return page.stream()
                        .map(v -> view(v, renditions.getOrDefault(v.id, List.of())))
                        .toList();
                  });
            });
  }

  public VideoView update(String userId, String videoId, UpdateVideoRequest request) {
    VideoView updated =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  VideoEntity v =
                      VideoEntity.findOwned(videoId, userId)
                          .orElseThrow(() -> new NotFound("video"));
                  if (request != null && request.title() != null) {
                    if (request.title().isBlank()) {
                      throw new BadRequest("validation_failed", "title must not be blank");
                    }
                    v.title = request.title().strip();
                  }
                  if (request != null && request.description() != null) {
                    v.description = request.description();
                  }
                  v.updatedAt = now();
                  return view(v);
                });
    cache.evict(videoId);
    return updated;
  }

  /**
   * Deletes the video at once (rows cascade); its objects are removed by {@link StorageDeletions}
   * from an intent written in the same transaction, so a crash cannot leave them behind.
   */
  public void delete(String userId, String videoId) {
    VideoEvent deleted =
        new VideoEvent(
            VideoEventType.DELETED.wireName(),
            videoId,
            null,
            null,
            null,
            null,
            null,
            null,
            null,
            clock.instant());
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              VideoEntity v =
                  VideoEntity.findOwned(videoId, userId).orElseThrow(() -> new NotFound("video"));
              webhooks.capture(deleted, v.userId, WebhookService.videoFacts(v));
              v.delete();
              deletions.schedule(S3Keys.videoPrefix(videoId));
            });
    cache.evict(videoId);
    events.publish(deleted);
  }

  private VideoEntity newVideo(String userId, CreateVideoRequest request) {
    Instant now = now();
    VideoEntity v = new VideoEntity();
    v.userId = userId;
    v.title = titleOf(request);
    v.description = request == null ? null : request.description();
    v.status = VideoStatus.AWAITING_UPLOAD.wireName();
    v.progressStage = VideoStatus.AWAITING_UPLOAD.wireName();
    v.createdAt = now;
    v.updatedAt = now;
    v.persist();
    return v;
  }

  private void requireAwaitingUpload(String userId, String videoId) {
    VideoEntity v = VideoEntity.findOwned(videoId, userId).orElseThrow(() -> new NotFound("video"));
    if (!VideoStatus.AWAITING_UPLOAD.wireName().equals(v.status)) {
      throw alreadyUploaded();
    }
  }

  /** Queues a video whose source another feature (direct upload) has put in place. */
  public VideoView queueUploaded(String videoId, String key, long size, String contentType) {
    return markQueued(videoId, key, size, contentType);
  }

  /** Video → queued and the job row, in one transaction; the job is published after commit. */
  private VideoView markQueued(String videoId, String key, long size, String contentType) {
    VideoView queued = commitQueued(videoId, key, size, contentType);
    cache.evict(videoId);
    events.publish(VideoEvent.status(videoId, queued.status().wireName(), clock.instant()));
    return queued;
  }

  private VideoView commitQueued(String videoId, String key, long size, String contentType) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              int updated =
                  VideoEntity.update(
                      "status = ?1, sourceKey = ?2, sourceSizeBytes = ?3, sourceContentType = ?4,"
                          + " progressStage = ?1, progressPercent = 0, updatedAt = ?5,"
                          + " uploadId = null, uploadSizeBytes = null, uploadPartBytes = null,"
                          + " uploadStartedAt = null"
                          + " where id = ?6 and status = ?7",
                      VideoStatus.AWAITING_UPLOAD.transitionTo(VideoStatus.QUEUED).wireName(),
                      key,
                      size,
                      contentType,
                      now(),
                      videoId,
                      VideoStatus.AWAITING_UPLOAD.wireName());
              if (updated == 0) {
                throw alreadyUploaded();
              }
              jobs.enqueueTranscode(videoId, key);
              VideoEntity v = VideoEntity.findById(videoId);
              VideoEntity.getEntityManager().refresh(v);
              return view(v);
            });
  }

  private VideoView view(VideoEntity v) {
    return view(snapshot(v));
  }

  private VideoSnapshot snapshot(VideoEntity v) {
    return VideoSnapshot.of(
        v,
        v.outputPrefix == null
            ? List.of()
            : RenditionEntity.ofCurrentAttempt(v.id, v.outputPrefix));
  }

  /** Maps a video and the renditions of its current attempt; presigns their URLs. */
  VideoView view(VideoEntity v, List<RenditionEntity> renditions) {
    return view(VideoSnapshot.of(v, renditions));
  }

  private VideoView view(VideoSnapshot v) {
    URI mp4 = null;
    URI m4a = null;
    URI hls = null;
    URI thumbnail = null;
    URI storyboardImage = null;
    VideoSnapshot.Output storyboardCues = null;
    List<Rendition> renditions = new ArrayList<>();
    for (VideoSnapshot.Output o : v.outputs()) {
      renditions.add(
          new Rendition(
              o.kind(),
              o.name(),
              o.width(),
              o.height(),
              o.bitrateKbps(),
              o.codecs(),
              o.sizeBytes()));
      switch (o.kind()) {
        case "mp4" -> mp4 = urls.of(o.s3Key());
        case "m4a" -> m4a = urls.of(o.s3Key());
        case "thumbnail" -> thumbnail = urls.of(o.s3Key());
        // Served through the API, which signs each segment; a presigned playlist would not.
        case "hls" -> hls = HlsUrls.owner(config.publicBaseUrl(), v.id());
        case "storyboard" -> {
          if ("sprite".equals(o.name())) {
            storyboardImage = urls.of(o.s3Key());
          } else {
            storyboardCues = o;
          }
        }
        default -> {
          // rungs and the audio rendition are reached through the master playlist
        }
      }
    }
    // The cues come from the API, which points them at a presigned sheet; the tile size rides on
    // the cues' row.
    Storyboard storyboard =
        storyboardImage == null || storyboardCues == null
            ? null
            : new Storyboard(
                HlsUrls.storyboard(config.publicBaseUrl(), v.id()),
                storyboardImage,
                storyboardCues.width(),
                storyboardCues.height());
    VideoError error =
        v.errorCode() == null ? null : new VideoError(v.errorCode(), v.errorMessage());
    VideoStatus status = VideoStatus.fromWire(v.status());
    renditions.sort(Comparator.comparing(Rendition::kind).thenComparing(Rendition::name));
    return new VideoView(
        v.id(),
        v.title(),
        v.description(),
        status,
        new Progress(
            v.progressPercent(),
            v.progressStage(),
            status.inProgress() ? v.progressEtaSeconds() : null),
        v.durationSeconds(),
        v.width(),
        v.height(),
        v.fps(),
        v.hasAudio(),
        new Playback(mp4, hls, m4a),
        thumbnail,
        storyboard,
        renditions.isEmpty() ? null : List.copyOf(renditions),
        error,
        v.createdAt(),
        v.updatedAt());
  }

  private static String titleOf(CreateVideoRequest request) {
    if (request == null || request.title() == null || request.title().isBlank()) {
      return DEFAULT_TITLE;
    }
    return request.title().strip();
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static BadRequest emptyUpload() {
    return new BadRequest("empty_upload", "the uploaded file is empty");
  }

  private static Conflict alreadyUploaded() {
    return new Conflict("already_uploaded", "this video already has its source");
  }

  private static ServiceUnavailable storageDown(ObjectStoreException e) {
    return new ServiceUnavailable(
        "storage_unavailable", "the object store did not take the upload; try again");
  }
}
