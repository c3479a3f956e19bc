package dev.capstan.api.auth;

import dev.capstan.api.auth.service.AuthenticatedUser;
import dev.capstan.api.error.Unauthorized;
import jakarta.enterprise.context.RequestScoped;

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
}
