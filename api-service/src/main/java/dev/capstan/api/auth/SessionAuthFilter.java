package dev.capstan.api.auth;

import dev.capstan.api.auth.service.AuthService;
import dev.capstan.api.auth.service.AuthenticatedUser;
import dev.capstan.api.error.Unauthorized;
import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * Checks the bearer token of every {@link RequiresSession} resource. The resources are blocking, so
 * this runs on their worker thread and may look the session up in Redis or the database.
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
    currentUser.set(lookUp(token));
  }

  private AuthenticatedUser lookUp(String token) {
    return auth.authenticate(token)
        .orElseThrow(
            () -> new Unauthorized("invalid_token", "the token is unknown, expired or revoked"));
  }
}
