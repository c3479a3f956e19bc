package dev.capstan.api.comment.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.comment.service.CommentService;
import dev.capstan.api.comment.service.CommentService.Viewer;
import dev.capstan.api.limits.RateLimited;
import dev.capstan.model.api.CommentMessages;
import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.CommentMessages.CreateCommentRequest;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.ShareMessages;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Comments of a video, for its owner and for signed-in viewers who hold a share link of it ({@code
 * X-Share-Code}, plus {@code X-Share-Password} when the link has one).
 */
@Path("/api/v1/videos/{id}/comments")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class CommentResource {
  @Inject CommentService comments;
  @Inject CurrentUser currentUser;

  @POST
  @RateLimited
  @Consumes(MediaType.APPLICATION_JSON)
  public Response add(
      @PathParam("id") String videoId,
      @HeaderParam(CommentMessages.SHARE_CODE_HEADER) String shareCode,
      @HeaderParam(ShareMessages.PASSWORD_HEADER) String password,
      @Valid @NotNull CreateCommentRequest request) {
    CommentView c = comments.add(viewer(shareCode, password), videoId, request);
    return Response.status(201).entity(c).build();
  }

  @GET
  public Page<CommentView> list(
      @PathParam("id") String videoId,
      @HeaderParam(CommentMessages.SHARE_CODE_HEADER) String shareCode,
      @HeaderParam(ShareMessages.PASSWORD_HEADER) String password,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return comments.list(viewer(shareCode, password), videoId, limit, cursor);
  }

  @DELETE
  @Path("/{commentId}")
  public Response delete(
      @PathParam("id") String videoId, @PathParam("commentId") String commentId) {
    comments.delete(viewer(null, null), videoId, commentId);
    return Response.noContent().build();
  }

  private Viewer viewer(String shareCode, String password) {
    return new Viewer(currentUser.id(), shareCode, password);
  }
}
