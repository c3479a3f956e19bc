package dev.capstan.api.share.rest;

import dev.capstan.api.share.service.ShareService;
import dev.capstan.model.api.ShareMessages;
import dev.capstan.model.api.ShareMessages.PublicShareView;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Optional;

/** What anyone holding a share link may read; no session needed. */
@Path("/api/v1/public/shares")
@Produces(MediaType.APPLICATION_JSON)
public class PublicShareResource {
  @Inject ShareService shares;

  /**
   * Runs on the event loop: an unprotected link whose video this instance holds in memory is
   * answered at once; anything else (Redis, the database, a password's bcrypt, a refusal) is done
   * on a worker thread.
   */
  @GET
  @Path("/{code}")
  public Uni<PublicShareView> open(
      @PathParam("code") String code, @HeaderParam(ShareMessages.PASSWORD_HEADER) String password) {
    if (password == null || password.isEmpty()) {
      Optional<PublicShareView> inMemory = shares.openFromMemory(code);
      if (inMemory.isPresent()) {
        return Uni.createFrom().item(inMemory.get());
      }
    }
    return Uni.createFrom()
        .item(() -> shares.open(code, password))
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }
}
