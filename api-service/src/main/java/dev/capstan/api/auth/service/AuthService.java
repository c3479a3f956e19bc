package dev.capstan.api.auth.service;

import dev.capstan.api.auth.persistence.SessionEntity;
import dev.capstan.api.auth.persistence.UserEntity;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.error.Conflict;
import dev.capstan.api.error.Unauthorized;
import dev.capstan.model.api.AuthMessages.LoginRequest;
import dev.capstan.model.api.AuthMessages.LoginResponse;
import dev.capstan.model.api.AuthMessages.SignupRequest;
import dev.capstan.model.api.AuthMessages.SignupResponse;
import dev.capstan.model.api.AuthMessages.UserView;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Sign-up, login, logout, and turning a bearer token back into a user. */
@ApplicationScoped
public class AuthService {
  @Inject PasswordHasher passwords;
  @Inject ApiConfig config;
  @Inject Clock clock;
  @Inject SessionCache sessions;

  @Transactional
  public SignupResponse signup(SignupRequest request) {
    String email = normalize(request.email());
    if (UserEntity.findByEmail(email).isPresent()) {
      throw new Conflict("email_taken", "an account with this email already exists");
    }
    UserEntity user = new UserEntity();
    user.email = email;
    user.name = request.name().strip();
    user.passwordHash = passwords.hash(request.password());
    user.createdAt = now();
    user.persist();
    NewSession session = openSession(user);
    return new SignupResponse(view(user), session.token(), session.expiresAt());
  }

  @Transactional
  public LoginResponse login(LoginRequest request) {
    Optional<UserEntity> user = UserEntity.findByEmail(normalize(request.email()));
    if (user.isEmpty()) {
      passwords.burnTime(request.password());
      throw invalidCredentials();
    }
    if (!passwords.matches(request.password(), user.get().passwordHash)) {
      throw invalidCredentials();
    }
    NewSession session = openSession(user.get());
    return new LoginResponse(session.token(), session.expiresAt(), view(user.get()));
  }

  public void logout(AuthenticatedUser caller) {
    String hash =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    SessionEntity.<SessionEntity>findByIdOptional(caller.sessionId())
                        .map(
                            s -> {
                              s.revokedAt = now();
                              return s.tokenHash;
                            })
                        .orElse(null));
    if (hash != null) {
      sessions.evict(List.of(hash));
    }
  }

  /** Changes the password and signs out every other session of the user. */
  public void changePassword(AuthenticatedUser caller, String currentPassword, String newPassword) {
    List<String> revoked =
        QuarkusTransaction.requiringNew()
            .call(
                () -> {
                  UserEntity user = UserEntity.findById(caller.userId());
                  if (user == null || !passwords.matches(currentPassword, user.passwordHash)) {
                    throw new Unauthorized("invalid_credentials", "the current password is wrong");
                  }
                  user.passwordHash = passwords.hash(newPassword);
                  List<SessionEntity> others =
                      SessionEntity.list(
                          "userId = ?1 and revokedAt is null and id <> ?2",
                          user.id,
                          caller.sessionId());
                  Instant now = now();
                  others.forEach(s -> s.revokedAt = now);
                  return others.stream().map(s -> s.tokenHash).toList();
                });
    sessions.evict(revoked);
  }

  /**
   * The caller behind a bearer token if this instance has the session in memory (never blocks, so
   * the event loop may call it); empty means "ask {@link #authenticate}".
   */
  public Optional<AuthenticatedUser> authenticateFromMemory(String token) {
    Instant now = clock.instant();
    return sessions
        .peek(SessionTokens.hash(token))
        .filter(e -> e.expiresAt().isAfter(now))
        .map(SessionCache.Entry::user);
  }

  /** The caller behind a bearer token: from the session caches, else from the database. */
  public Optional<AuthenticatedUser> authenticate(String token) {
    String hash = SessionTokens.hash(token);
    Instant now = now();
    return sessions
        .get(
            hash,
            now,
            () ->
                QuarkusTransaction.requiringNew()
                    .call(
                        () ->
                            SessionEntity.findActive(hash, now)
                                .flatMap(
                                    s ->
                                        UserEntity.<UserEntity>findByIdOptional(s.userId)
                                            .map(
                                                u ->
                                                    new SessionCache.Entry(
                                                        new AuthenticatedUser(
                                                            u.id, u.email, u.name, s.id),
                                                        s.expiresAt)))))
        .filter(e -> e.expiresAt().isAfter(now))
        .map(SessionCache.Entry::user);
  }

  private NewSession openSession(UserEntity user) {
    String token = SessionTokens.newToken();
    SessionEntity session = new SessionEntity();
    session.userId = user.id;
    session.tokenHash = SessionTokens.hash(token);
    session.createdAt = now();
    session.expiresAt = session.createdAt.plus(config.auth().sessionTtl());
    session.persist();
    return new NewSession(token, session.expiresAt);
  }

  private Instant now() {
    // MySQL DATETIME(6) keeps microseconds; truncating keeps reads equal to what was written.
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static String normalize(String email) {
    return email.strip().toLowerCase(Locale.ROOT);
  }

  private static Unauthorized invalidCredentials() {
    return new Unauthorized("invalid_credentials", "email or password is wrong");
  }

  private static UserView view(UserEntity u) {
    return new UserView(u.id, u.email, u.name, u.createdAt);
  }

  private record NewSession(String token, Instant expiresAt) {}
}
