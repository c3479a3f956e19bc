package dev.capstan.api.watch;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.limits.RateLimited;
import dev.capstan.model.api.CommentMessages.CommentView;
import dev.capstan.model.api.CommentMessages.CreateCommentRequest;
import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The pages a share link opens: {@code /s/{code}} (the share page), {@code /embed/{code}} (player
 * only, frameable) and {@code /oembed}. A protected link answers 401 with a password form; the
 * right password is remembered in an HttpOnly cookie for that code, which the page's live events,
 * player and comment box then use.
 */
@Path("/")
public class WatchResource {
  static final String HTML = MediaType.TEXT_HTML + ";charset=UTF-8";

  @Inject WatchService watch;
  @Inject ContentSecurityPolicy csp;
  @Inject CurrentUser currentUser;
  @Inject ApiConfig config;

  @Inject
  @Location("watch/share.html")
  Template share;

  @Inject
  @Location("watch/embed.html")
  Template embed;

  @Inject
  @Location("watch/password.html")
  Template password;

  @Inject
  @Location("watch/gone.html")
  Template gone;

  @GET
  @Path("s/{code}")
  @Produces(MediaType.TEXT_HTML)
  public Response sharePage(@PathParam("code") String code, @Context HttpHeaders headers) {
    return render(watch.page(code, SharePasswords.of(code, headers)), share, csp.sharePage());
  }

  @GET
  @Path("embed/{code}")
  @Produces(MediaType.TEXT_HTML)
  public Response embedPage(@PathParam("code") String code, @Context HttpHeaders headers) {
    return render(watch.page(code, SharePasswords.of(code, headers)), embed, csp.embed());
  }

  /** The password form's target: the right password sets the cookie and goes back to the page. */
  @POST
  @Path("s/{code}")
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @Produces(MediaType.TEXT_HTML)
  public Response unlock(@PathParam("code") String code, @FormParam("password") String pw) {
    return watch
        .passwordOpens(code, pw)
        .map(
            opens ->
                opens
                    ? Response.seeOther(URI.create("/s/" + code))
                        .cookie(
                            SharePasswords.cookie(
                                code,
                                pw,
                                config.watch().passwordCookieTtl(),
                                "https".equals(config.publicBaseUrl().getScheme())))
                        .build()
                    : render(
                        new WatchService.Outcome.PasswordNeeded(
                            code, "That password is not right."),
                        share,
                        csp.sharePage()))
        .orElseGet(() -> render(new WatchService.Outcome.Gone(), share, csp.sharePage()));
  }

  /** Status, progress and playback URLs, for the player to start once the video is ready. */
  @GET
  @Path("s/{code}/video")
  @Produces(MediaType.APPLICATION_JSON)
  public LiveVideo video(@PathParam("code") String code, @Context HttpHeaders headers) {
    return LiveVideo.of(watch.video(code, SharePasswords.of(code, headers)));
  }

  @POST
  @Path("s/{code}/comments")
  @RequiresSession
  @RateLimited
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public Response comment(
      @PathParam("code") String code,
      @Context HttpHeaders headers,
      @Valid @NotNull CreateCommentRequest request) {
    CommentView c =
        watch.comment(currentUser.id(), code, SharePasswords.of(code, headers), request);
    return Response.status(201).entity(c).build();
  }

  @GET
  @Path("oembed")
  @Produces(MediaType.APPLICATION_JSON)
  public Response oembed(
      @QueryParam("url") String url,
      @QueryParam("format") String format,
      @QueryParam("maxwidth") Integer maxWidth) {
    if (format != null && !format.equals("json")) {
      return Response.status(501).build();
    }
    return Response.ok(watch.oembed(url, maxWidth)).build();
  }

  private Response render(WatchService.Outcome outcome, Template page, String policy) {
    Response.ResponseBuilder r =
        switch (outcome) {
          case WatchService.Outcome.Watch w ->
              Response.ok(page.data("page", w.page()).data("hlsJs", HlsJsAsset.PATH).render());
          case WatchService.Outcome.PasswordNeeded p ->
              Response.status(401)
                  .entity(password.data("code", p.code()).data("error", p.error()).render());
          case WatchService.Outcome.Gone g -> Response.status(404).entity(gone.render());
        };
    return r.type(HTML)
        .header("Content-Security-Policy", policy)
        .header("X-Content-Type-Options", "nosniff")
        .header("Referrer-Policy", "no-referrer")
        .header("Cache-Control", "no-store")
        .build();
  }
}
