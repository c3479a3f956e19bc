package dev.capstan.api.webhook.persistence;

import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;

/** One event for one endpoint: its retry state and its log line at once. */
@Entity
@Table(name = "webhook_deliveries")
public class WebhookDeliveryEntity extends PanacheEntityBase {
  public static final String PENDING = "pending";
  public static final String DELIVERED = "delivered";
  public static final String FAILED = "failed";

  @Id
  @Column(length = 36)
  public String id;

  @Column(name = "webhook_id")
  public String webhookId;

  @Column(name = "event_key")
  public String eventKey;

  @Column(name = "event_type")
  public String eventType;

  public String payload;

  public String status;

  public int attempts;

  @Column(name = "next_attempt_at")
  public Instant nextAttemptAt;

  @Column(name = "give_up_at")
  public Instant giveUpAt;

  @Column(name = "last_status_code")
  public Integer lastStatusCode;

  @Column(name = "last_error")
  public String lastError;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "delivered_at")
  public Instant deliveredAt;

  /** The log of one endpoint, newest first, one keyset page. */
  public static List<WebhookDeliveryEntity> logPage(String webhookId, Cursor after, int limit) {
    Keyset.Query q = Keyset.query("webhookId = ?1", webhookId, after, Keyset.Order.NEWEST_FIRST);
    return find(q.hql(), q.params()).page(0, limit).list();
  }
}
