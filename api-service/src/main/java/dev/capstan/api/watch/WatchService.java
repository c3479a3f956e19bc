package dev.capstan.api.watch;

import dev.capstan.api.comment.service.CommentService;
import dev.capstan.api.comment.service.CommentService.Viewer;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.error.Unauthorized;
import dev.capstan.api.share.service.ShareLink;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.CommentMessages.CreateCommentRequest;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import dev.capstan.model.api.VideoMessages.VideoView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What the share page, the embed and oEmbed show. Every answer goes through {@link
 * ShareService#unlock}: unknown, revoked and expired links are all {@link Outcome.Gone}.
 */
@ApplicationScoped
public class WatchService {
  /** Comments rendered with the page; the rest page in through the public comments API. */
  static final int FIRST_COMMENTS = 20;

  @Inject ShareService shares;
  @Inject CommentService comments;
  @Inject VideoService videos;
  @Inject ApiConfig config;

  /** What a request for a share page leads to. */
  public sealed interface Outcome {
    record Watch(WatchPage page) implements Outcome {}

    /** A protected link without the right password; {@code error} when one was wrong. */
    record PasswordNeeded(String code, String error) implements Outcome {}

    record Gone() implements Outcome {}
  }

  /** The share page (counts a view). */
  public Outcome page(String code, String password) {
    ShareLink link;
    try {
      link = shares.unlock(code, password);
    } catch (NotFound e) {
      return new Outcome.Gone();
    } catch (Unauthorized e) {
      String error =
          "share_password_invalid".equals(e.code()) ? "That password is not right." : null;
      return new Outcome.PasswordNeeded(code, error);
    }
    PublicShareView view;
    try {
      view = shares.open(link);
    } catch (NotFound e) {
      return new Outcome.Gone();
    }
    List<CommentView> first = comments.listShared(code, password, FIRST_COMMENTS, null).items();
    return new Outcome.Watch(WatchPage.of(view, link.isProtected(), first, baseUrl()));
  }

  /** Whether {@code password} opens the link; empty when the link is gone. */
  public Optional<Boolean> passwordOpens(String code, String password) {
    try {
      shares.unlock(code, password);
      return Optional.of(true);
    } catch (NotFound e) {
      return Optional.empty();
    } catch (Unauthorized e) {
      return Optional.of(false);
    }
  }

  /**
   * The video behind an unlocked link as its owner would see it (status, progress, playback), for
   * the live events and the player's switch to playing; counts no view.
   */
  public VideoView video(String code, String password) {
    ShareLink link = shares.unlock(code, password);
    VideoView v =
        videos.find(link.userId(), link.videoId()).orElseThrow(() -> new NotFound("share link"));
    // The owner's playlist URL needs the owner's session: link holders get the link's own.
    return v.withPlayback(shares.forLinkHolders(v.playback(), link.code()));
  }

  /** The oEmbed answer for a share URL of this installation. */
  public OEmbed oembed(String url, Integer maxWidth) {
    String code = codeOf(url).orElseThrow(() -> new NotFound("share link"));
    PublicShareView view = shares.open(shares.unlock(code, null));
    return OEmbed.of(view, baseUrl(), maxWidth);
  }

  /** A comment from the signed-in holder of the link. */
  public CommentView comment(
      String userId, String code, String password, CreateCommentRequest request) {
    ShareLink link = shares.unlock(code, password);
    return comments.add(new Viewer(userId, code, password), link.videoId(), request);
  }

  private Optional<String> codeOf(String url) {
    if (url == null) {
      return Optional.empty();
    }
    String path;
    try {
      path = URI.create(url.strip()).getPath();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (path == null) {
      return Optional.empty();
    }
    for (String prefix : List.of("/s/", "/embed/")) {
      if (path.startsWith(prefix) && path.indexOf('/', prefix.length()) < 0) {
        return Optional.of(path.substring(prefix.length()));
      }
    }
    return Optional.empty();
  }

  private String baseUrl() {
    String base = config.publicBaseUrl().toString();
    return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }
}
