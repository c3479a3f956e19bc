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
 * The HLS playlists of a share link's video, authorised as the share page is: the link must be
 * live, and a protected one needs its password (header or the page's cookie).
 */
@Path("/s/{code}/hls")
public class SharePlaylistResource {
  @Inject PlaybackService playback;

  @GET
  @Path("/{file}")
  @Produces(PlaylistResponses.M3U8)
  public Response playlist(
      @PathParam("code") String code,
      @PathParam("file") String file,
      @Context HttpHeaders headers) {
    return PlaylistResponses.of(
        playback.forShare(code, SharePasswords.of(code, headers), file), playback);
  }
}
