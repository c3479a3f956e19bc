package dev.capstan.api.comment.rest;

import dev.capstan.api.comment.service.CommentService;
import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.ShareMessages;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** The comments anyone holding a share link may read (the share page shows them). */
@Path("/api/v1/public/shares/{code}/comments")
@Produces(MediaType.APPLICATION_JSON)
public class PublicCommentResource {
  @Inject CommentService comments;

  @GET
  public Page<CommentView> list(
      @PathParam("code") String code,
      @HeaderParam(ShareMessages.PASSWORD_HEADER) String password,
      @QueryParam("limit") Integer limit,
      @QueryParam("cursor") String cursor) {
    return comments.listShared(code, password, limit, cursor);
  }
}
