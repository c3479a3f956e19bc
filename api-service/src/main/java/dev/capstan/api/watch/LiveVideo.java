package dev.capstan.api.watch;

import dev.capstan.model.api.VideoMessages.VideoView;
import java.net.URI;

/** What the share page's player polls once: status, progress and where to play from. */
public record LiveVideo(
    String status,
    Integer percent,
    String stage,
    URI mp4,
    URI hls,
    URI posterUrl,
    Integer width,
    Integer height) {
  static LiveVideo of(VideoView v) {
    return new LiveVideo(
        v.status().wireName(),
        v.progress() == null ? null : v.progress().percent(),
        v.progress() == null ? null : v.progress().stage(),
        v.playback() == null ? null : v.playback().mp4(),
        v.playback() == null ? null : v.playback().hls(),
        v.thumbnailUrl(),
        v.width(),
        v.height());
  }
}
