package dev.capstan.api.auth;

import dev.capstan.api.auth.service.AuthService;
import dev.capstan.api.auth.service.AuthenticatedUser;
import dev.capstan.api.error.Unauthorized;
import io.quarkus.arc.ClientProxy;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveContainerRequestContext;

/**
 * Checks the bearer token of every {@link RequiresSession} resource. Most resources are blocking,
 * so this runs on their worker thread and may look the session up in Redis or the database. The hot
 * reads run on the event loop: there a session this instance holds in memory is accepted at once,
 * and any other lookup is done on a worker thread while the request waits (suspended), so the event
 * loop never blocks.
 */
@Provider
@RequiresSession
@Priority(Priorities.AUTHENTICATION)
public class SessionAuthFilter implements ContainerRequestFilter {
  private static final String BEARER = "Bearer ";

  @Inject AuthService auth;
  @Inject CurrentUser currentUser;

  @Override
  public void filter(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new Unauthorized("unauthenticated", "send Authorization: Bearer <token>");
    }
    String token = header.substring(BEARER.length()).strip();
    if (!Context.isOnEventLoopThread()) {
      currentUser.set(lookUp(token));
      return;
    }
    var inMemory = auth.authenticateFromMemory(token);
    if (inMemory.isPresent()) {
      currentUser.set(inMemory.get());
      return;
    }
    // The request context is not active on the worker thread: hold the bean instance itself.
    CurrentUser caller = ClientProxy.unwrap(currentUser);
    ResteasyReactiveContainerRequestContext suspended =
        (ResteasyReactiveContainerRequestContext) request;
    suspended.suspend();
    Infrastructure.getDefaultWorkerPool()
        .execute(
            () -> {
              try {
                caller.set(lookUp(token));
              } catch (RuntimeException e) {
                suspended.resume(e);
                return;
              }
              suspended.resume();
            });
  }

  private AuthenticatedUser lookUp(String token) {
    return auth.authenticate(token)
        .orElseThrow(
            () -> new Unauthorized("invalid_token", "the token is unknown, expired or revoked"));
  }
}
