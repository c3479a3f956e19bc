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
    Double progressEtaSeconds,
    Double durationSeconds,
    Integer width,
    Integer height,
    Double fps,
    Boolean hasAudio,
    String errorCode,
    String errorMessage,
    Instant createdAt,
    Instant updatedAt,
    List<Output> outputs) {

  /** A file of the current attempt: its kind (mp4, thumbnail, ...), name, S3 key and facts. */
  public record Output(
      String kind,
      String name,
      String s3Key,
      Integer width,
      Integer height,
      Integer bitrateKbps,
      String codecs,
      long sizeBytes) {}

  public static VideoSnapshot of(VideoEntity v, List<RenditionEntity> renditions) {
    List<Output> outputs =
        v.outputPrefix == null
            ? List.of()
            : renditions.stream()
                .filter(r -> r.s3Key.startsWith(v.outputPrefix))
                .map(
                    r ->
                        new Output(
                            r.kind,
                            r.name,
                            r.s3Key,
                            r.width,
                            r.height,
                            r.bitrateKbps,
                            r.codecs,
                            r.sizeBytes))
                .toList();
    return new VideoSnapshot(
        v.id,
        v.userId,
        v.title,
        v.description,
        v.status,
        v.progressPercent,
        v.progressStage,
        v.progressEtaSeconds,
        v.durationSeconds,
        v.width,
        v.height,
        v.fps,
        v.hasAudio,
        v.errorCode,
        v.errorMessage,
        v.createdAt,
        v.updatedAt,
        outputs);
  }
}
