package dev.capstan.api.video.service;

import dev.capstan.api.video.persistence.RenditionEntity;
import dev.capstan.api.video.persistence.VideoEntity;
import java.time.Instant;
import java.util.List;

/**
 * What the API shows of a video, detached from the database: built from the row and the renditions
 * of its current attempt, and what the metadata cache holds.
 */
public record VideoSnapshot(
    String id,
    String userId,
    String title,
    String description,
    String status,
    int progressPercent,
    String progressStage,
    Double durationSeconds,
    Integer width,
    Integer height,
    String errorCode,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    List<Output> outputs) {

  /** A file of the current attempt: its kind (mp4, thumbnail, ...) and S3 key. */
  public record Output(String kind, String s3Key) {}

  public static VideoSnapshot of(VideoEntity v, List<RenditionEntity> renditions) {
    List<Output> outputs =
        v.outputPrefix == null
            ? List.of()
            : renditions.stream()
                .filter(r -> r.s3Key.startsWith(v.outputPrefix))
                .map(r -> new Output(r.kind, r.s3Key))
                .toList();
    return new VideoSnapshot(
        v.id,
        v.userId,
        v.title,
        v.description,
        v.status,
        v.progressPercent,
        v.progressStage,
        v.durationSeconds,
        v.width,
        v.height,
        v.errorCode,
        v.errorMessage,
        v.createdAt,
        v.updatedAt,
        outputs);
  }
}
