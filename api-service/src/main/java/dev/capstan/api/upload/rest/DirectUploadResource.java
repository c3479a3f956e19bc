package dev.capstan.api.upload.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.limits.RateLimited;
import dev.capstan.api.upload.service.DirectUploadService;
import dev.capstan.model.api.UploadMessages.CompleteUploadRequest;
import dev.capstan.model.api.UploadMessages.StartUploadRequest;
import dev.capstan.model.api.UploadMessages.UploadView;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Direct-to-S3 multipart uploads: the API hands out part URLs and never carries the bytes. */
@Path("/api/v1/videos/{id}/uploads")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class DirectUploadResource {
  @Inject DirectUploadService uploads;
  @Inject CurrentUser currentUser;

  /** Starts (or resumes, for the same size) an upload; PUT each part to its URL. */
  @POST
  @RateLimited
  @Consumes(MediaType.APPLICATION_JSON)
  public Response start(@PathParam("id") String id, @Valid @NotNull StartUploadRequest request) {
    return Response.status(201).entity(uploads.start(currentUser.id(), id, request)).build();
  }

  /** Parts already received, and fresh URLs for the others. */
  @GET
  public UploadView status(@PathParam("id") String id) {
    return uploads.status(currentUser.id(), id);
  }

  /** Assembles the parts, checks the size, and queues the video. */
  @POST
  @Path("/complete")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response complete(
      @PathParam("id") String id, @Valid @NotNull CompleteUploadRequest request) {
    return Response.accepted(uploads.complete(currentUser.id(), id, request)).build();
  }

  @DELETE
  public Response abort(@PathParam("id") String id) {
    uploads.abort(currentUser.id(), id);
    return Response.noContent().build();
  }
}
