package dev.capstan.api.event;

import dev.capstan.model.api.VideoMessages.VideoView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.event.VideoEvents;
import io.smallrye.mutiny.Multi;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * One video's Server-Sent Events, for whichever resource authorised the caller: the current state
 * first, then what {@link VideoEventHub} delivers, until {@code video.ready} or {@code
 * video.failed}; a comment every 15 s keeps proxies from closing an idle stream.
 */
@ApplicationScoped
public class VideoEventStream {
  private static final Set<String> FINAL =
      Set.of(VideoEventType.READY.wireName(), VideoEventType.FAILED.wireName());
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  @Inject VideoEventHub hub;
  @Inject Clock clock;
  @Inject Vertx vertx;

  public Multi<OutboundSseEvent> of(VideoView video, Sse sse) {
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
      case PLAYABLE -> VideoEvent.playable(v.id(), null, clock.instant());
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
