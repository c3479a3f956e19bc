package dev.capstan.api.event;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.event.VideoEvents;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * {@code GET /api/v1/videos/{id}/events}: Server-Sent Events of one video. The first event is the
 * current status; then status changes, progress (percent, stage, ETA) and each rendition as it is
 * ready; the stream ends after {@code video.ready} or {@code video.failed}. A comment every 15 s
 * keeps proxies from closing an idle stream.
 */
@Path("/api/v1/videos/{id}/events")
@RequiresSession
public class VideoEventResource {
  private static final Set<String> FINAL =
      Set.of(VideoEventType.READY.wireName(), VideoEventType.FAILED.wireName());
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  @Inject VideoService videos;
  @Inject VideoEventHub hub;
  @Inject CurrentUser currentUser;
  @Inject Clock clock;
  @Inject Vertx vertx;

  @GET
  @Blocking
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
    VideoView video = videos.find(currentUser.id(), id).orElseThrow(() -> new NotFound("video"));
    VideoEvent snapshot = snapshotOf(video);
    return Multi.createFrom()
        .emitter(
            emitter -> {
              Runnable stop =
                  hub.listen(
                      id,
                      event -> {
                        emitter.emit(toSse(sse, event));
                        if (FINAL.contains(event.type())) {
                          emitter.complete();
                        }
                      });
              long timer =
                  vertx.setPeriodic(
                      KEEP_ALIVE.toMillis(),
                      t -> emitter.emit(sse.newEventBuilder().comment("keep-alive").build()));
              emitter.onTermination(
                  () -> {
                    stop.run();
                    vertx.cancelTimer(timer);
                  });
              emitter.emit(toSse(sse, snapshot));
              if (FINAL.contains(snapshot.type())) {
                emitter.complete();
              }
            });
  }

  private VideoEvent snapshotOf(VideoView v) {
    return switch (v.status()) {
      case READY -> VideoEvent.ready(v.id(), clock.instant());
      case FAILED ->
          VideoEvent.failed(
              v.id(),
              v.error() == null ? null : v.error().code(),
              v.error() == null ? null : v.error().message(),
              clock.instant());
      case PROCESSING ->
          VideoEvent.progress(
              v.id(), v.progress().percent(), v.progress().stage(), null, clock.instant());
      default -> VideoEvent.status(v.id(), v.status().wireName(), clock.instant());
    };
  }

  private static OutboundSseEvent toSse(Sse sse, VideoEvent event) {
    return sse.newEventBuilder()
        .name(event.type())
        .mediaType(MediaType.APPLICATION_JSON_TYPE)
        .data(String.class, VideoEvents.encode(event))
        .build();
  }
}
