package dev.capstan.api.playback;

import dev.capstan.api.error.NotFound;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/**
 * How a playlist goes out: its media type, private caching shorter than its URLs live; a growing
 * playlist (the video is playable, not ready) is never stored, so players reload it as it grows.
 */
final class PlaylistResponses {
  static final String M3U8 = "application/vnd.apple.mpegurl";

  private PlaylistResponses() {}

  static Response of(Optional<PlaybackService.Playlist> playlist, PlaybackService playback) {
    PlaybackService.Playlist p = playlist.orElseThrow(() -> new NotFound("playlist"));
    return Response.ok(p.text(), M3U8)
        .header(
            "Cache-Control",
            p.growing() ? "no-store" : "private, max-age=" + playback.cacheFor().toSeconds())
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }
}
