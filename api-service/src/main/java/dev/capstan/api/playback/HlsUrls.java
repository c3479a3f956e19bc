package dev.capstan.api.playback;

import java.net.URI;

/** Where a player finds a video's master playlist on the API: the owner's and a share link's. */
public final class HlsUrls {
  private HlsUrls() {}

  public static URI owner(URI publicBaseUrl, String videoId) {
    return URI.create(base(publicBaseUrl) + "api/v1/videos/" + videoId + "/hls/master.m3u8");
  }

  public static URI share(URI publicBaseUrl, String code) {
    return URI.create(base(publicBaseUrl) + "s/" + code + "/hls/master.m3u8");
  }

  private static String base(URI publicBaseUrl) {
    String base = publicBaseUrl.toString();
    return base.endsWith("/") ? base : base + "/";
  }
}
