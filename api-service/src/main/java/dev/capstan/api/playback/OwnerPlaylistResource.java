package dev.capstan.api.playback;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;

/**
 * The owner's HLS playlists: {@code master.m3u8} or a rung's ({@code 480p.m3u8}); anyone else gets
 * 404, as for the video itself.
 */
@Path("/api/v1/videos/{id}/hls")
@RequiresSession
public class OwnerPlaylistResource {
  @Inject PlaybackService playback;
  @Inject CurrentUser currentUser;

  @GET
  @Path("/{file}")
  @Produces(PlaylistResponses.M3U8)
  public Response playlist(@PathParam("id") String id, @PathParam("file") String file) {
    return PlaylistResponses.of(playback.forOwner(currentUser.id(), id, file), playback);
  }
}
