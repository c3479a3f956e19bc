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
   * What the link shows. When this instance holds an unprotected link and its video in memory,
   * {@link dev.capstan.api.hotpath.HotReadRoutes} answers on the event loop before the request gets
   * here.
   */
  @GET
  @Path("/{code}")
  public PublicShareView open(
      @PathParam("code") String code, @HeaderParam(ShareMessages.PASSWORD_HEADER) String password) {
    return shares.open(code, password);
  }
}
