package dev.capstan.api.share.service;

import dev.capstan.api.auth.persistence.UserEntity;
import dev.capstan.api.auth.service.PasswordHasher;
import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.error.Unauthorized;
import dev.capstan.api.playback.HlsUrls;
import dev.capstan.api.share.persistence.ShareLinkEntity;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.api.video.service.VideoSnapshot;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.ShareMessages.CreateShareRequest;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import dev.capstan.model.api.ShareMessages.ShareView;
import dev.capstan.model.api.VideoMessages;
import dev.capstan.model.api.VideoMessages.VideoView;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Share links: the owner creates, lists and revokes them; anyone holding one (and its password,
 * when set) sees the video's public facts and playback URLs. Unknown, revoked and expired links all
 * answer the same 404, so codes cannot be probed.
 */
@ApplicationScoped
public class ShareService {
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject PasswordHasher passwords;
  @Inject VideoService videos;
  @Inject ShareLinkCache links;
  @Inject ShareViews views;

  public ShareView create(String userId, String videoId, CreateShareRequest request) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              VideoEntity video =
                  VideoEntity.findOwned(videoId, userId).orElseThrow(() -> new NotFound("video"));
              ShareLinkEntity link = new ShareLinkEntity();
              link.videoId = video.id;
              link.userId = userId;
              link.code = ShareCodes.next(config.share().codeBytes());
              link.createdAt = now();
              if (request != null) {
                link.expiresAt = request.expiresAt();
                link.passwordHash =
                    request.password() == null ? null : passwords.hash(request.password());
              }
              link.persist();
              return view(link, video, 0);
            });
  }

  @ToleratesLag
  public Page<ShareView> list(String userId, Integer limit, String cursor) {
    int size = Cursor.limit(limit);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              List<ShareLinkEntity> rows =
                  ShareLinkEntity.pageOf(userId, Cursor.parse(cursor), size + 1);
              return Keyset.page(
                  rows,
                  size,
                  l -> new Cursor(l.createdAt, l.id),
                  page -> {
                    Map<String, VideoEntity> byId =
                        page.isEmpty()
                            ? Map.of()
                            : VideoEntity.<VideoEntity>list(
                                    "id in ?1",
                                    page.stream().map(l -> l.videoId).distinct().toList())
                                .stream()
                                .collect(Collectors.toMap(v -> v.id, Function.identity()));
                    Map<String, Long> pending =
                        views.pending(page.stream().map(l -> l.id).toList());
                    return page.stream()
                        .map(l -> view(l, byId.get(l.videoId), pending.getOrDefault(l.id, 0L)))
                        .toList();
                  });
            });
  }

  public void revoke(String userId, String code) {
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              ShareLinkEntity link =
                  ShareLinkEntity.findByCode(code)
                      .filter(l -> l.userId.equals(userId))
                      .orElseThrow(() -> new NotFound("share link"));
              link.delete();
            });
    links.revoked(code);
  }

  /**
   * The link behind {@code code}, if it is live and {@code password} opens it: unknown, revoked and
   * expired links are all "not found"; a protected link without the right password is 401. Served
   * from the share-link cache.
   */
  public ShareLink unlock(String code, String password) {
    if (!ShareCodes.plausible(code)) {
      throw new NotFound("share link");
    }
    ShareLink link =
        links
            .get(code, () -> QuarkusTransaction.requiringNew().call(() -> load(code)))
            .filter(l -> !l.expiredAt(now()))
            .orElseThrow(() -> new NotFound("share link"));
    if (link.isProtected()) {
      if (password == null || password.isEmpty()) {
        throw new Unauthorized(
            "share_password_required", "this link is protected: send its password");
      }
      if (!passwords.matches(password, link.passwordHash())) {
        throw new Unauthorized("share_password_invalid", "the password is wrong");
      }
    }
    return link;
  }

  /** An unprotected live link and its video, as this instance holds them in memory. */
  public record OpenableShare(ShareLink link, VideoSnapshot video) {}

  /**
   * The link behind {@code code} and its video, if this instance holds an unprotected live link and
   * its video in memory (never blocks: the event loop may call it); empty means "ask {@link
   * #open(String, String)}", which also answers every refusal.
   */
  public Optional<OpenableShare> openableFromMemory(String code) {
    if (!ShareCodes.plausible(code)) {
      return Optional.empty();
    }
    return links
        .peek(code)
        .filter(l -> !l.isProtected() && !l.expiredAt(now()))
        .flatMap(
            l ->
                videos
                    .snapshotInMemory(l.videoId())
                    .filter(v -> v.userId().equals(l.userId()))
                    .map(v -> new OpenableShare(l, v)));
  }

  /** What the holder of an openable link sees; counts nothing (see {@link #countView}). */
  public PublicShareView publicView(OpenableShare share) {
    return publicView(share.link(), share.video());
  }

  /** Counts one view of the link; never blocks. */
  public void countView(OpenableShare share) {
    views.count(share.link().id());
  }

  /** What a link holder sees; counts a view. {@code password}: the password header, if any. */
  public PublicShareView open(String code, String password) {
    return open(unlock(code, password));
  }

  /**
   * What the holder of an already unlocked link sees (the share page); counts a view. Served from
   * the caches: no database access when they hold the link and its video.
   */
  public PublicShareView open(ShareLink link) {
    VideoSnapshot video =
        videos
            .snapshot(link.videoId())
            .filter(v -> v.userId().equals(link.userId()))
            .orElseThrow(() -> new NotFound("share link"));
    views.count(link.id());
    return publicView(link, video);
  }

  private PublicShareView publicView(ShareLink link, VideoSnapshot video) {
    VideoView v = videos.viewOf(video);
    return new PublicShareView(
        link.code(),
        v.title(),
        link.ownerName(),
        v.status(),
        v.durationSeconds(),
        v.width(),
        v.height(),
        v.thumbnailUrl(),
        forLinkHolders(v.playback(), link.code()),
        v.createdAt());
  }

  private static Optional<ShareLink> load(String code) {
    return ShareLinkEntity.findByCode(code)
        .map(
            l -> {
              UserEntity owner = UserEntity.findById(l.userId);
              return new ShareLink(
                  l.id,
                  l.code,
                  l.videoId,
                  l.userId,
                  owner == null ? null : owner.name,
                  l.passwordHash,
                  l.expiresAt);
            });
  }

  /** The owner's playback with the HLS playlist served through the link instead. */
  public VideoMessages.Playback forLinkHolders(VideoMessages.Playback p, String code) {
    if (p == null || p.hls() == null) {
      return p;
    }
    return new VideoMessages.Playback(
        p.mp4(), HlsUrls.share(config.publicBaseUrl(), code), p.m4a());
  }

  private ShareView view(ShareLinkEntity link, VideoEntity video, long pendingViews) {
    return new ShareView(
        link.code,
        urlOf(link.code),
        link.videoId,
        video == null ? null : video.title,
        link.passwordHash != null,
        link.expiresAt,
        link.viewCount + pendingViews,
        link.createdAt);
  }

  private URI urlOf(String code) {
    String base = config.publicBaseUrl().toString();
    return URI.create((base.endsWith("/") ? base : base + "/") + "s/" + code);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
