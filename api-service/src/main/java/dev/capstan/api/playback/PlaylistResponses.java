package dev.capstan.api.playback;

import dev.capstan.api.error.NotFound;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/** How a playlist goes out: its media type, private caching shorter than its URLs live. */
final class PlaylistResponses {
  static final String M3U8 = "application/vnd.apple.mpegurl";

  private PlaylistResponses() {}

  static Response of(Optional<String> playlist, PlaybackService playback) {
    String text = playlist.orElseThrow(() -> new NotFound("playlist"));
    return Response.ok(text, M3U8)
        .header("Cache-Control", "private, max-age=" + playback.cacheFor().toSeconds())
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }
}
