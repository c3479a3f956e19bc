package dev.capstan.api.video.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** An output the worker wrote (MP4, poster...). Written by the worker, read here. */
@Entity
@Table(name = "renditions")
public class RenditionEntity extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "video_id")
  public String videoId;

  public int attempt;

  public String kind;

  public String name;

  public Integer width;

  public Integer height;

  @Column(name = "bitrate_kbps")
  public Integer bitrateKbps;

  public String codecs;

  @Column(name = "s3_key")
  public String s3Key;

  @Column(name = "size_bytes")
  public long sizeBytes;

  @Column(name = "created_at")
  public Instant createdAt;

  /** Renditions of many videos in one query, grouped by video id. */
  public static Map<String, List<RenditionEntity>> ofVideos(List<String> videoIds) {
    if (videoIds.isEmpty()) {
      return Map.of();
    }
    return RenditionEntity.<RenditionEntity>list("videoId in ?1", videoIds).stream()
        .collect(Collectors.groupingBy(r -> r.videoId));
  }

  /** The renditions of the attempt the video currently points at. */
  public static List<RenditionEntity> ofCurrentAttempt(String videoId, String outputPrefix) {
    return list("videoId = ?1 and s3Key like ?2", videoId, outputPrefix + "%");
  }
}
