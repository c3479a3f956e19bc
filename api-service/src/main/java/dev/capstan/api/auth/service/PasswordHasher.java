package dev.capstan.api.auth.service;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import dev.capstan.api.config.ApiConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * bcrypt (a deliberately slow hash). Passwords longer than bcrypt's 72 bytes are pre-hashed with
 * SHA-512 instead of being cut silently.
 */
@ApplicationScoped
public class PasswordHasher {
  private static final BCrypt.Version VERSION = BCrypt.Version.VERSION_2B;

  private final int cost;
  private final BCrypt.Hasher hasher =
      BCrypt.with(VERSION, LongPasswordStrategies.hashSha512(VERSION));
  private final BCrypt.Verifyer verifyer =
      BCrypt.verifyer(VERSION, LongPasswordStrategies.hashSha512(VERSION));

  /** Compared against when the user does not exist, so a miss costs as long as a hit. */
  private final String decoy;

  @Inject
  public PasswordHasher(ApiConfig config) {
    this.cost = config.auth().bcryptCost();
    this.decoy = hash("decoy-password-never-used");
  }

  public String hash(String password) {
    return hasher.hashToString(cost, password.toCharArray());
  }

  public boolean matches(String password, String hash) {
    return verifyer.verify(password.toCharArray(), hash).verified;
  }

  /** Burns the same time as a real check. */
  public void burnTime(String password) {
    matches(password, decoy);
  }
}
