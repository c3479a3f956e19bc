package dev.capstan.api.watch;

import dev.capstan.api.event.VideoEventHub;
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
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * {@code GET /s/{code}/events}: the same Server-Sent Events as {@code /api/v1/videos/{id}/events},
 * for whoever holds the share link (and, for a protected link, the password cookie the share page's
 * form set, or the {@code X-Share-Password} header). The first event is the current state; the
 * stream ends after {@code video.ready} or {@code video.failed}.
 */
@Path("/s/{code}/events")
public class ShareEventResource {
  private static final Set<String> FINAL =
      Set.of(VideoEventType.READY.wireName(), VideoEventType.FAILED.wireName());
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  @Inject WatchService watch;
  @Inject VideoEventHub hub;
  @Inject Clock clock;
  @Inject Vertx vertx;

  @GET
  @Blocking
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<OutboundSseEvent> events(
      @PathParam("code") String code, @Context HttpHeaders headers, @Context Sse sse) {
    VideoView video = watch.video(code, SharePasswords.of(code, headers));
    VideoEvent snapshot = snapshotOf(video);
    return Multi.createFrom()
        .emitter(
            emitter -> {
              Runnable stop =
                  hub.listen(
                      video.id(),
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
