package dev.capstan.api.watch;

import dev.capstan.api.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.Optional;

/**
 * The Content-Security-Policy of the watch pages: nothing by default, scripts and styles only from
 * this origin (no inline code at all), media, posters and playlists also from the object store (or
 * the CDN in front of it). {@code blob:} media is what hls.js feeds the player through Media Source
 * Extensions.
 */
@ApplicationScoped
public class ContentSecurityPolicy {
  @Inject ApiConfig config;

  /** For {@code /s/...}: never framed. */
  public String sharePage() {
    return policy("'none'");
  }

  /** For {@code /embed/...}: framed by any site. */
  public String embed() {
    return policy("*");
  }

  private String policy(String frameAncestors) {
    String media = mediaOrigin();
    return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
        + media
        + "; media-src 'self' "
        + media
        + " blob:; connect-src 'self' "
        + media
        + "; form-action 'self'; base-uri 'none'; frame-ancestors "
        + frameAncestors;
  }

  /** The origin presigned playback URLs point at. */
  String mediaOrigin() {
    Optional<URI> cdn = config.cdn().baseUrl();
    if (cdn.isPresent()) {
      return originOf(cdn.get());
    }
    return config
        .s3()
        .endpoint()
        .map(ContentSecurityPolicy::originOf)
        // AWS S3 itself: virtual-hosted and path-style hosts of the region.
        .orElseGet(
            () ->
                "https://s3."
                    + config.s3().region()
                    + ".amazonaws.com https://*.s3."
                    + config.s3().region()
                    + ".amazonaws.com");
  }

  static String originOf(URI uri) {
    String origin = uri.getScheme() + "://" + uri.getHost();
    return uri.getPort() < 0 ? origin : origin + ":" + uri.getPort();
  }
}
