package dev.capstan.api.auth.rest;

import dev.capstan.api.auth.CurrentUser;
import dev.capstan.api.auth.RequiresSession;
import dev.capstan.api.auth.service.AuthService;
import dev.capstan.model.api.AuthMessages.ChangePasswordRequest;
import dev.capstan.model.api.AuthMessages.LoginRequest;
import dev.capstan.model.api.AuthMessages.LoginResponse;
import dev.capstan.model.api.AuthMessages.SignupRequest;
import dev.capstan.model.api.AuthMessages.SignupResponse;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/auth")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class AuthResource {
  @Inject AuthService auth;
  @Inject CurrentUser currentUser;

  @POST
  @Path("/signup")
  @ResponseStatus(201)
  public SignupResponse signup(@Valid @NotNull SignupRequest request) {
    return auth.signup(request);
  }

  @POST
  @Path("/login")
  public LoginResponse login(@Valid @NotNull LoginRequest request) {
    return auth.login(request);
  }

  /** Changes the password; every other session of the user is signed out. */
  @POST
  @Path("/password")
  @RequiresSession
  @ResponseStatus(204)
  public void changePassword(@Valid @NotNull ChangePasswordRequest request) {
    auth.changePassword(currentUser.get(), request.currentPassword(), request.newPassword());
  }

  @POST
  @Path("/logout")
  @RequiresSession
  @Consumes(MediaType.WILDCARD)
  @ResponseStatus(204)
  public void logout() {
    auth.logout(currentUser.get());
  }
}
