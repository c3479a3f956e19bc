package dev.capstan.api.watch;

import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import dev.capstan.model.api.VideoMessages.Playback;
import java.util.List;

/** Everything the share page and the embed render; templates escape every field. */
public record WatchPage(
    String code,
    String title,
    String ownerName,
    String status,
    String duration,
    Integer width,
    Integer height,
    String posterUrl,
    String mp4Url,
    String hlsUrl,
    /** Something plays: the video is ready, or playable while the rest is published. */
    boolean ready,
    boolean failed,
    boolean protectedLink,
    String shareUrl,
    String embedUrl,
    String oembedUrl,
    List<CommentView> comments) {

  static WatchPage of(
      PublicShareView v, boolean protectedLink, List<CommentView> comments, String base) {
    Playback p = v.playback();
    String shareUrl = base + "/s/" + v.code();
    return new WatchPage(
        v.code(),
        v.title() == null || v.title().isBlank() ? "Untitled video" : v.title(),
        v.ownerName(),
        v.status().wireName(),
        duration(v.durationSeconds()),
        v.width(),
        v.height(),
        v.posterUrl() == null ? null : v.posterUrl().toString(),
        p == null || p.mp4() == null ? null : p.mp4().toString(),
        p == null || p.hls() == null ? null : p.hls().toString(),
        v.status().playable(),
        "failed".equals(v.status().wireName()),
        protectedLink,
        shareUrl,
        base + "/embed/" + v.code(),
        base
            + "/oembed?format=json&url="
            + java.net.URLEncoder.encode(shareUrl, java.nio.charset.StandardCharsets.UTF_8),
        comments);
  }

  /** The video URL for link unfurls: HLS when there is one, else the MP4. */
  public String videoUrl() {
    return hlsUrl != null ? hlsUrl : mp4Url;
  }

  public String videoType() {
    return hlsUrl != null ? "application/vnd.apple.mpegurl" : "video/mp4";
  }

  static String duration(Double seconds) {
    if (seconds == null) {
      return null;
    }
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format("%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
        : String.format("%d:%02d", s / 60, s % 60);
  }
}
