package dev.capstan.api.admin;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The queue as operators see it; admins only (others get 404). */
@Path("/api/v1/admin/queue")
@RequiresSession
@Produces(MediaType.APPLICATION_JSON)
public class AdminQueueResource {
  @Inject AdminAccess access;
  @Inject QueueInspector inspector;
  @Inject CurrentUser currentUser;

  @GET
  public QueueView queue() {
    access.require(currentUser, "resource");
    return inspector.view();
  }
}
