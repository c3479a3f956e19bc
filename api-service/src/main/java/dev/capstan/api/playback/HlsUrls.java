package dev.capstan.api.playback;

import java.net.URI;

/**
 * Where a player finds a video's master playlist (the owner's and a share link's) and storyboard
 * cues on the API.
 */
public final class HlsUrls {
  private HlsUrls() {}

  public static URI owner(URI publicBaseUrl, String videoId) {
    return URI.create(base(publicBaseUrl) + "api/v1/videos/" + videoId + "/hls/master.m3u8");
  }

  /** The owner's storyboard cues (WebVTT), served by the API with a presigned sprite sheet. */
  public static URI storyboard(URI publicBaseUrl, String videoId) {
    return URI.create(base(publicBaseUrl) + "api/v1/videos/" + videoId + "/storyboard.vtt");
  }

  public static URI share(URI publicBaseUrl, String code) {
    return URI.create(base(publicBaseUrl) + "s/" + code + "/hls/master.m3u8");
  }

  private static String base(URI publicBaseUrl) {
    String base = publicBaseUrl.toString();
    return base.endsWith("/") ? base : base + "/";
  }
}
