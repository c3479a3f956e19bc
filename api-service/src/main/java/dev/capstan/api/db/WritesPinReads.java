package dev.capstan.api.db;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.util.Set;

/**
 * Every signed-in request that may write (POST, PUT, PATCH, DELETE) pins its user's reads to the
 * primary ({@link ReadYourWrites}) before the write happens, so the next read, on any instance,
 * sees it.
 */
@Provider
@RequiresSession
@Priority(Priorities.AUTHENTICATION + 10)
public class WritesPinReads implements ContainerRequestFilter {
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  @Inject CurrentUser currentUser;
  @Inject ReadYourWrites readYourWrites;
  @Inject ReplicaState replica;

  @Override
  public void filter(ContainerRequestContext request) {
    if (replica.status() != ReplicaState.Status.NOT_CONFIGURED
        && WRITES.contains(request.getMethod())) {
      currentUser.idIfSignedIn().ifPresent(readYourWrites::wrote);
    }
  }
}
