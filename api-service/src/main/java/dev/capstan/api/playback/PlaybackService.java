package dev.capstan.api.playback;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.share.service.ShareLink;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.api.storage.MediaUrls;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.api.video.service.VideoSnapshot;
import dev.capstan.model.video.VideoStatus;
import dev.capstan.storage.ObjectNotFoundException;
import dev.capstan.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * HLS playlists served through the API, for the owner and for share-link holders. The video's
 * current attempt decides which tree is served; a rung that the renditions do not list is not
 * found. A {@code playable} video's playlists are still growing (the worker rewrites them as it
 * publishes segments and rungs), so they are served as such and must not be cached.
 */
@ApplicationScoped
public class PlaybackService {
  static final String MASTER = "master.m3u8";

  /**
   * A playlist as served.
   *
   * @param growing the video is still being published: the playlist changes, nobody may keep it
   */
  public record Playlist(String text, boolean growing) {}

  @Inject VideoService videos;
  @Inject ShareService shares;
  @Inject ObjectStore store;
  @Inject ApiConfig config;
  @Inject MediaUrls urls;

  /** A playlist of the caller's video; empty when it is not theirs or has no such playlist. */
  public Optional<Playlist> forOwner(String userId, String videoId, String file) {
    return videos.snapshotOwned(userId, videoId).flatMap(v -> playlist(v, file));
  }

  /**
   * A playlist of the video behind a share link; unknown, revoked and expired links are not found,
   * a protected one without its password unauthorised (from {@link ShareService#unlock}).
   */
  public Optional<Playlist> forShare(String code, String password, String file) {
    ShareLink link = shares.unlock(code, password);
    return videos.snapshotOwned(link.userId(), link.videoId()).flatMap(v -> playlist(v, file));
  }

  /**
   * The storyboard cues of the caller's video, each {@code storyboard.jpg#xywh=...} pointing at a
   * presigned URL of the sheet; empty when not theirs or without a storyboard.
   */
  public Optional<String> storyboardForOwner(String userId, String videoId) {
    return videos.snapshotOwned(userId, videoId).flatMap(this::storyboard);
  }

  /** The storyboard cues of a share link's video, authorised as its playlists are. */
  public Optional<String> storyboardForShare(String code, String password) {
    ShareLink link = shares.unlock(code, password);
    return videos.snapshotOwned(link.userId(), link.videoId()).flatMap(this::storyboard);
  }

  private Optional<String> storyboard(VideoSnapshot v) {
    Optional<String> cues = key(v, "storyboard", "vtt");
    Optional<String> sheet = key(v, "storyboard", "sprite");
    if (cues.isEmpty() || sheet.isEmpty()) {
      return Optional.empty();
    }
    try {
      String signed = urls.of(sheet.get()).toString();
      return Optional.of(StoryboardCues.pointedAt(store.getText(cues.get()), signed));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> key(VideoSnapshot v, String kind, String name) {
    return v.outputs().stream()
        .filter(o -> o.kind().equals(kind) && name.equals(o.name()))
        .map(VideoSnapshot.Output::s3Key)
        .findFirst();
  }

  /** How long a client may keep a playlist: well inside the lifetime of the URLs it holds. */
  public Duration cacheFor() {
    return config.playback().urlTtl().dividedBy(2);
  }

  private Optional<Playlist> playlist(VideoSnapshot v, String file) {
    boolean growing = !VideoStatus.READY.wireName().equals(v.status());
    return text(v, file).map(text -> new Playlist(text, growing));
  }

  private Optional<String> text(VideoSnapshot v, String file) {
    if (!HlsPlaylists.isFileName(file) || !file.endsWith(".m3u8")) {
      return Optional.empty();
    }
    Optional<String> masterKey =
        v.outputs().stream()
            .filter(o -> o.kind().equals("hls"))
            .map(VideoSnapshot.Output::s3Key)
            .findFirst();
    if (masterKey.isEmpty()) {
      return Optional.empty();
    }
    String folder = masterKey.get().substring(0, masterKey.get().lastIndexOf('/') + 1);
    Set<String> rungs =
        v.outputs().stream()
            .filter(
                o ->
                    (o.kind().equals("hls_rung") || o.kind().equals("hls_audio"))
                        && o.s3Key().startsWith(folder))
            .map(o -> o.s3Key().substring(folder.length()))
            .collect(Collectors.toSet());
    try {
      if (file.equals(MASTER)) {
        return Optional.of(HlsPlaylists.master(store.getText(masterKey.get()), rungs));
      }
      if (!rungs.contains(file)) {
        return Optional.empty();
      }
      return Optional.of(
          HlsPlaylists.media(store.getText(folder + file), name -> urls.of(folder + name)));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }
}
