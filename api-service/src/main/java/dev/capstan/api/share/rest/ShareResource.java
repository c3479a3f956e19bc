package dev.capstan.api.share.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.ShareMessages.ShareView;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The owner's list of share links. */
@Path("/api/v1/shares")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class ShareResource {
  @Inject ShareService shares;
  @Inject CurrentUser currentUser;

  @GET
  public Page<ShareView> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    return shares.list(currentUser.id(), limit, cursor);
  }

  @DELETE
  @Path("/{code}")
  public Response revoke(@PathParam("code") String code) {
    shares.revoke(currentUser.id(), code);
    return Response.noContent().build();
  }
}
