package dev.capstan.api.video.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.limits.RateLimited;
import dev.capstan.api.video.service.VideoService;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.VideoMessages.CreateVideoRequest;
import dev.capstan.model.api.VideoMessages.UpdateVideoRequest;
import dev.capstan.model.api.VideoMessages.VideoView;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.multipart.FileUpload;

@Path("/api/v1/videos")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class VideoResource {
  @Inject VideoService videos;
  @Inject CurrentUser currentUser;

  /** Creates a video that waits for its source ({@code PUT .../source}). */
  @POST
  @RateLimited
  @Consumes(MediaType.APPLICATION_JSON)
  public Response create(@Valid CreateVideoRequest request, UriInfo uri) {
    VideoView v = videos.create(currentUser.id(), request);
    return Response.created(uri.getAbsolutePathBuilder().path(v.id()).build()).entity(v).build();
  }

  /** One-shot upload: {@code file} (required) and {@code title} (optional). */
  @POST
  @RateLimited
  @Consumes(MediaType.MULTIPART_FORM_DATA)
  public Response upload(
      @RestForm("file") FileUpload file,
      @RestForm("title") @Size(max = 300) String title,
      UriInfo uri) {
    if (file == null || file.uploadedFile() == null) {
      throw new BadRequest("missing_file", "the multipart form needs a part named 'file'");
    }
    VideoView v =
        videos.createFromFile(currentUser.id(), title, file.uploadedFile(), file.contentType());
    return Response.accepted(v).location(uri.getAbsolutePathBuilder().path(v.id()).build()).build();
  }

  /** The source as the raw request body, streamed to storage. */
  @PUT
  @RateLimited
  @Path("/{id}/source")
  @Consumes(MediaType.WILDCARD)
  public Response uploadSource(
      @PathParam("id") String id,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      InputStream body) {
    return Response.accepted(videos.uploadSource(currentUser.id(), id, body, contentType)).build();
  }

  /** My videos, newest first; pass {@code nextCursor} back as {@code cursor} for more. */
  @GET
  public Page<VideoView> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    return videos.list(currentUser.id(), limit, cursor);
  }

  @PATCH
  @Path("/{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  public VideoView update(@PathParam("id") String id, @Valid UpdateVideoRequest request) {
    return videos.update(currentUser.id(), id, request);
  }

  /** Gone at once; its files are removed from storage in the background. */
  @DELETE
  @Path("/{id}")
  public Response delete(@PathParam("id") String id) {
    videos.delete(currentUser.id(), id);
    return Response.noContent().build();
  }

  /**
   * The caller's video. When this instance holds the session and the video in memory, {@link
   * dev.capstan.api.hotpath.HotReadRoutes} answers on the event loop before the request gets here.
   */
  @GET
  @Path("/{id}")
  public VideoView get(@PathParam("id") String id) {
    return videos.find(currentUser.id(), id).orElseThrow(() -> new NotFound("video"));
  }
}
