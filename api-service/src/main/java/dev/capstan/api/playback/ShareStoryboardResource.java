package dev.capstan.api.playback;

import dev.capstan.api.watch.SharePasswords;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

/**
 * The storyboard cues of a share link's video, for the share page's scrubbing previews; the link
 * must be live, and a protected one needs its password (header or the page's cookie).
 */
@Path("/s/{code}/storyboard.vtt")
public class ShareStoryboardResource {
  @Inject PlaybackService playback;

  @GET
  @Produces(OwnerStoryboardResource.VTT)
  public Response cues(@PathParam("code") String code, @Context HttpHeaders headers) {
    return OwnerStoryboardResource.of(
        playback.storyboardForShare(code, SharePasswords.of(code, headers)), playback);
  }
}
