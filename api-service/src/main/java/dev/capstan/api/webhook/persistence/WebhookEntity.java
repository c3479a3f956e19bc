package dev.capstan.api.webhook.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.hibernate.annotations.UuidGenerator;

@Entity
@Table(name = "webhooks")
public class WebhookEntity extends PanacheEntityBase {
  @Id
  @UuidGenerator(style = UuidGenerator.Style.VERSION_7)
  @Column(length = 36)
  public String id;

  @Column(name = "user_id")
  public String userId;

  public String url;

  /** Comma-separated event types. */
  public String events;

  @Column(name = "secret_encrypted")
  public String secretEncrypted;

  @Column(name = "created_at")
  public Instant createdAt;

  public List<String> eventList() {
    return Arrays.asList(events.split(","));
  }

  public static List<WebhookEntity> ofUser(String userId) {
    return list("userId = ?1 order by createdAt", userId);
  }
}
