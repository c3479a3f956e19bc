package dev.capstan.api.job.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.job.service.JobRetries;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.model.api.VideoMessages.VideoView;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Retrying a failed video by hand: a new attempt with a fresh attempt budget. Its own resource so
 * JAX-RS routes it past the video resource (the most specific class path wins).
 */
@Path("/api/v1/videos/{id}/retry")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class VideoRetryResource {
  @Inject JobRetries retries;
  @Inject VideoService videos;
  @Inject CurrentUser currentUser;

  /** 202 with the video, now queued; 404 if not the caller's; 409 unless it has failed. */
  @POST
  public Response retry(@PathParam("id") String videoId) {
    retries.retryFailedVideo(currentUser.id(), videoId);
    VideoView view =
        videos.find(currentUser.id(), videoId).orElseThrow(() -> new NotFound("video"));
    return Response.accepted(view).build();
  }
}
