package dev.capstan.api.watch;

import dev.capstan.api.event.VideoEventStream;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
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

/**
 * {@code GET /s/{code}/events}: the same Server-Sent Events as {@code /api/v1/videos/{id}/events},
 * for whoever holds the share link (and, for a protected link, the password cookie the share page's
 * form set, or the {@code X-Share-Password} header). The first event is the current state; the
 * stream ends after {@code video.ready} or {@code video.failed}.
 */
@Path("/s/{code}/events")
public class ShareEventResource {
  @Inject WatchService watch;
  @Inject VideoEventStream stream;

  @GET
  @Blocking
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<OutboundSseEvent> events(
      @PathParam("code") String code, @Context HttpHeaders headers, @Context Sse sse) {
    return stream.of(watch.video(code, SharePasswords.of(code, headers)), sse);
  }
}
