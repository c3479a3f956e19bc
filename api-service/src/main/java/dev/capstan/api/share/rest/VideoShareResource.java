package dev.capstan.api.share.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.limits.RateLimited;
import dev.capstan.api.share.service.ShareService;
import dev.capstan.model.api.ShareMessages.CreateShareRequest;
import dev.capstan.model.api.ShareMessages.ShareView;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Sharing one video: its own resource so JAX-RS routes it past the video resource. */
@Path("/api/v1/videos/{id}/shares")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class VideoShareResource {
  @Inject ShareService shares;
  @Inject CurrentUser currentUser;

  @POST
  @RateLimited
  @Consumes({MediaType.APPLICATION_JSON, MediaType.WILDCARD})
  public Response create(@PathParam("id") String videoId, @Valid CreateShareRequest request) {
    ShareView share = shares.create(currentUser.id(), videoId, request);
    return Response.status(201).entity(share).location(share.url()).build();
  }
}
