package dev.capstan.api.share.rest;

import dev.capstan.api.share.service.ShareService;
import dev.capstan.model.api.ShareMessages;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** What anyone holding a share link may read; no session needed. */
@Path("/api/v1/public/shares")
@Produces(MediaType.APPLICATION_JSON)
public class PublicShareResource {
  @Inject ShareService shares;

  /**
   * What the link shows. An unprotected link whose video this instance holds in memory never gets
   * here: {@link dev.capstan.api.hotpath.HotReadRoutes} answers it on the event loop.
   */
  @GET
  @Path("/{code}")
  public PublicShareView open(
      @PathParam("code") String code, @HeaderParam(ShareMessages.PASSWORD_HEADER) String password) {
    return shares.open(code, password);
  }
}
