package dev.capstan.api.playback;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.error.NotFound;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.Optional;

/** The owner's storyboard cues (WebVTT for scrubbing previews); anyone else gets 404. */
@Path("/api/v1/videos/{id}/storyboard.vtt")
@RequiresSession
public class OwnerStoryboardResource {
  static final String VTT = "text/vtt";

  @Inject PlaybackService playback;
  @Inject CurrentUser currentUser;

  @GET
  @Produces(VTT)
  public Response cues(@PathParam("id") String id) {
    return of(playback.storyboardForOwner(currentUser.id(), id), playback);
  }

  /** How cues go out: WebVTT, cached privately for less than the sheet URL inside lives. */
  static Response of(Optional<String> cues, PlaybackService playback) {
    String text = cues.orElseThrow(() -> new NotFound("storyboard"));
    return Response.ok(text, VTT + "; charset=utf-8")
        .header("Cache-Control", "private, max-age=" + playback.cacheFor().toSeconds())
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }
}
