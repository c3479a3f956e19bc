package dev.capstan.api.auth.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.annotations.UuidGenerator;

@Entity
@Table(name = "users")
public class UserEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  public String email;

  public String name;

  @Column(name = "password_hash")
  public String passwordHash;

  @Column(name = "created_at")
  public Instant createdAt;

  public static Optional<UserEntity> findByEmail(String email) {
    return find("email", email).firstResultOptional();
  }
}
