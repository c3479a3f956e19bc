package dev.capstan.api.auth.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.annotations.UuidGenerator;

/** A login. Only the SHA-256 of the token is stored: a database leak leaks no usable token. */
@Entity
@Table(name = "sessions")
public class SessionEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "user_id")
  public String userId;

  @Column(name = "token_hash")
  public String tokenHash;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "expires_at")
  public Instant expiresAt;

  @Column(name = "revoked_at")
  public Instant revokedAt;

  public static Optional<SessionEntity> findActive(String tokenHash, Instant now) {
    return find("tokenHash = ?1 and revokedAt is null and expiresAt > ?2", tokenHash, now)
        .firstResultOptional();
  }
}
