package dev.capstan.api.hotpath;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.capstan.api.auth.service.AuthService;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.share.service.ShareLink;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.api.share.service.ShareService.OpenableShare;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.api.video.service.VideoSnapshot;
import dev.capstan.model.api.ShareMessages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The two hottest reads, {@code GET /api/v1/videos/{id}} (the owner's) and {@code GET
 * /api/v1/public/shares/{code}}, answered on the event loop in front of the REST resources when
 * this instance holds everything they need in memory: the session, the video, the share link. The
 * answer is the JSON the REST resource would write, rendered once per cached value and then written
 * as it is, so a hit costs a token hash and a few map lookups; no worker thread, request context or
 * serialisation. Anything else (no or unknown token, a video that is not the caller's, a protected,
 * expired or unknown link, a cache miss) goes on unchanged to the REST resource, which loads what
 * is missing on a worker thread and answers every refusal (401, 404 never 403): this route never
 * refuses anything itself.
 *
 * <p>Rendered answers are tied to the cached value they came from (compared by identity), so an
 * invalidation or a reload renders afresh; presigned URLs in them are therefore at most {@code
 * capstan.cache.video-near-ttl} old. Answers are counted as {@code capstan_hot_reads_total{read,
 * answered="memory"|"rest"}}; the HTTP server metrics ({@code http_server_requests_seconds}) see
 * these requests as any other.
 */
@ApplicationScoped
public class HotReadRoutes {
  static final String VIDEO_PATH = "/api/v1/videos/:id";
  static final String SHARE_PATH = "/api/v1/public/shares/:code";
  private static final String CONTENT_TYPE = "Content-Type";
  private static final String JSON = "application/json;charset=UTF-8";
  private static final String BEARER = "Bearer ";

  @Inject AuthService auth;
  @Inject VideoService videos;
  @Inject ShareService shares;
  @Inject ObjectMapper json;
  @Inject ApiConfig config;
  @Inject MeterRegistry registry;

  /** What was rendered for a video, and from which cached snapshot. */
  private record RenderedVideo(VideoSnapshot basis, Buffer json) {}

  /** What was rendered for a share link, and from which cached link and snapshot. */
  private record RenderedShare(ShareLink link, VideoSnapshot basis, Buffer json) {}

  private Cache<String, RenderedVideo> renderedVideos;
  private Cache<String, RenderedShare> renderedShares;
  private Counter videoFromMemory;
  private Counter videoToRest;
  private Counter shareFromMemory;
  private Counter shareToRest;

  @PostConstruct
  void create() {
    renderedVideos = rendered();
    renderedShares = rendered();
    videoFromMemory = counter("video", "memory");
    videoToRest = counter("video", "rest");
    shareFromMemory = counter("share", "memory");
    shareToRest = counter("share", "rest");
  }

  void register(@Observes Router router) {
    // Before the REST resources (ROUTE_ORDER_DEFAULT); next() hands a request on to them.
    router
        .get(VIDEO_PATH)
        .order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT)
        .handler(this::ownerVideo);
    router
        .get(SHARE_PATH)
        .order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT)
        .handler(this::publicShare);
  }

  void ownerVideo(RoutingContext ctx) {
    Buffer answer = ownerVideoFromMemory(ctx);
    if (answer == null) {
      videoToRest.increment();
      ctx.next();
      return;
    }
    videoFromMemory.increment();
    write(ctx, answer);
  }

  private Buffer ownerVideoFromMemory(RoutingContext ctx) {
    String header = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    String id = ctx.pathParam("id");
    Optional<VideoSnapshot> video = videos.snapshotInMemory(id);
    if (video.isEmpty()) {
      return null;
    }
    VideoSnapshot snapshot = video.get();
    String token = header.substring(BEARER.length()).strip();
    boolean owner =
        auth.authenticateFromMemory(token)
            .filter(u -> u.userId().equals(snapshot.userId()))
            .isPresent();
    if (!owner) {
      return null;
    }
    RenderedVideo rendered = renderedVideos.getIfPresent(id);
    if (rendered == null || rendered.basis() != snapshot) {
      rendered = new RenderedVideo(snapshot, render(() -> videos.viewOf(snapshot)));
      renderedVideos.put(id, rendered);
    }
    return rendered.json();
  }

  void publicShare(RoutingContext ctx) {
    Buffer answer = publicShareFromMemory(ctx);
    if (answer == null) {
      shareToRest.increment();
      ctx.next();
      return;
    }
    shareFromMemory.increment();
    write(ctx, answer);
  }

  private Buffer publicShareFromMemory(RoutingContext ctx) {
    String password = ctx.request().getHeader(ShareMessages.PASSWORD_HEADER);
    if (password != null && !password.isEmpty()) {
      return null;
    }
    String code = ctx.pathParam("code");
    Optional<OpenableShare> openable = shares.openableFromMemory(code);
    if (openable.isEmpty()) {
      return null;
    }
    OpenableShare share = openable.get();
    RenderedShare rendered = renderedShares.getIfPresent(code);
    if (rendered == null || rendered.link() != share.link() || rendered.basis() != share.video()) {
      rendered =
          new RenderedShare(share.link(), share.video(), render(() -> shares.publicView(share)));
      renderedShares.put(code, rendered);
    }
    shares.countView(share);
    return rendered.json();
  }

  private Buffer render(Supplier<Object> view) {
    try {
      return Buffer.buffer(json.writeValueAsBytes(view.get()));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render " + e.getMessage(), e);
    }
  }

  private static void write(RoutingContext ctx, Buffer answer) {
    // A buffer may be written any number of times: each write sends a duplicate of it.
    ctx.response().putHeader(CONTENT_TYPE, JSON).end(answer);
  }

  private <V> Cache<String, V> rendered() {
    return Caffeine.newBuilder()
        .expireAfterWrite(config.cache().videoNearTtl())
        .maximumSize(config.cache().nearMaxEntries())
        .build();
  }

  private Counter counter(String read, String answered) {
    return Counter.builder("capstan.hot.reads")
        .description("Hot reads answered from this instance's memory or handed on to REST")
        .tag("read", read)
        .tag("answered", answered)
        .register(registry);
  }
}
