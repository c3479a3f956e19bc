package dev.capstan.api.watch;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.capstan.model.api.ShareMessages.PublicShareView;

/** An oEmbed 1.0 {@code video} answer (https://oembed.com/#section2.3.4). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record OEmbed(
    String type,
    String version,
    String title,
    @JsonProperty("author_name") String authorName,
    @JsonProperty("provider_name") String providerName,
    @JsonProperty("provider_url") String providerUrl,
    @JsonProperty("thumbnail_url") String thumbnailUrl,
    @JsonProperty("thumbnail_width") Integer thumbnailWidth,
    @JsonProperty("thumbnail_height") Integer thumbnailHeight,
    String html,
    int width,
    int height) {

  static final int DEFAULT_WIDTH = 640;

  static OEmbed of(PublicShareView v, String base, Integer maxWidth) {
    int w = v.width() == null || v.width() <= 0 ? 16 : v.width();
    int h = v.height() == null || v.height() <= 0 ? 9 : v.height();
    int width = maxWidth == null || maxWidth <= 0 ? DEFAULT_WIDTH : Math.min(maxWidth, 1920);
    int height = Math.max(1, Math.round(width * (float) h / w));
    // The code matched the share-code alphabet (URL-safe base64), so it needs no escaping.
    String html =
        "<iframe src=\""
            + base
            + "/embed/"
            + v.code()
            + "\" width=\""
            + width
            + "\" height=\""
            + height
            + "\" frameborder=\"0\" allow=\"autoplay; fullscreen; picture-in-picture\""
            + " allowfullscreen></iframe>";
    return new OEmbed(
        "video",
        "1.0",
        v.title(),
        v.ownerName(),
        "Capstan",
        base,
        v.posterUrl() == null ? null : v.posterUrl().toString(),
        v.posterUrl() == null ? null : v.width(),
        v.posterUrl() == null ? null : v.height(),
        html,
        width,
        height);
  }
}
