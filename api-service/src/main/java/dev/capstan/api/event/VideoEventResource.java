package dev.capstan.api.event;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.video.service.VideoService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Multi;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

/**
 * {@code GET /api/v1/videos/{id}/events}: Server-Sent Events of one of the caller's videos (see
 * {@link VideoEventStream}).
 */
@Path("/api/v1/videos/{id}/events")
@RequiresSession
public class VideoEventResource {
  @Inject VideoService videos;
  @Inject VideoEventStream stream;
  @Inject CurrentUser currentUser;

  @GET
  @Blocking
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public Multi<OutboundSseEvent> events(@PathParam("id") String id, @Context Sse sse) {
    return stream.of(
        videos.find(currentUser.id(), id).orElseThrow(() -> new NotFound("video")), sse);
  }
}
