package dev.capstan.api.storage;

import dev.capstan.api.config.ApiConfig;
import dev.capstan.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * Where a browser fetches a stored object (segment, init segment, poster, storyboard, download):
 * through the CDN when {@code capstan.cdn.base-url} is set ({@code <base>/<key>}: objects are
 * immutable under their attempt's prefix, so the CDN may cache them for ever), otherwise a
 * presigned S3 GET that lives {@code capstan.playback.url-ttl}. The bytes never pass through the
 * API either way.
 */
@ApplicationScoped
public class MediaUrls {
  @Inject ObjectStore store;
  @Inject ApiConfig config;

  /** A URL anyone holding it can GET {@code key} at. */
  public URI of(String key) {
    Optional<URI> cdn = config.cdn().baseUrl();
    if (cdn.isPresent()) {
      return cdnUrl(cdn.get(), key);
    }
    return store.presignGet(key, config.playback().urlTtl());
  }

  /** Whether URLs go through a CDN (and so do not expire). */
  public boolean viaCdn() {
    return config.cdn().baseUrl().isPresent();
  }

  static URI cdnUrl(URI base, String key) {
    String text = base.toString();
    String prefix = text.endsWith("/") ? text : text + "/";
    try {
      // The multi-argument constructor quotes what a path may not hold.
      return URI.create(prefix + new URI(null, null, key, null).getRawPath());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a key for a URL: " + key, e);
    }
  }
}
