package dev.capstan.api.auth;

import dev.capstan.api.auth.service.AuthenticatedUser;
import dev.capstan.api.error.Unauthorized;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/** The caller of the current request, set by {@link SessionAuthFilter}. */
@RequestScoped
public class CurrentUser {
  private AuthenticatedUser user;

  void set(AuthenticatedUser user) {
    this.user = user;
  }

  public AuthenticatedUser get() {
    if (user == null) {
      throw new Unauthorized("unauthenticated", "this endpoint needs a bearer token");
    }
    return user;
  }

  public String id() {
    return get().userId();
  }

  /** The caller's id on a signed-in request, empty on a public one. */
  public Optional<String> idIfSignedIn() {
    return Optional.ofNullable(user).map(AuthenticatedUser::userId);
  }
}
