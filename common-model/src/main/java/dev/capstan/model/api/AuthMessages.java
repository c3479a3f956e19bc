package dev.capstan.model.api;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.time.Instant;

/** Bodies of {@code /api/v1/auth}. */
public final class AuthMessages {
  private AuthMessages() {}

  public record SignupRequest(
      @NotBlank @Email @Size(max = 320) String email,
      @NotBlank @Size(min = 8, max = 200) String password,
      @NotBlank @Size(max = 200) String name) {}

  public record LoginRequest(@NotBlank String email, @NotBlank String password) {}

  public record ChangePasswordRequest(
      @NotBlank String currentPassword, @NotBlank @Size(min = 8, max = 200) String newPassword) {}

  public record UserView(String id, String email, String name, Instant createdAt) {}

  public record SignupResponse(UserView user, String token, Instant expiresAt) {}

  public record LoginResponse(String token, Instant expiresAt, UserView user) {}
}
