package dev.capstan.api.webhook.service;

import dev.capstan.api.common.Cursor;
import dev.capstan.api.common.Keyset;
import dev.capstan.api.config.ApiConfig;
import dev.capstan.api.db.ToleratesLag;
import dev.capstan.api.error.BadRequest;
import dev.capstan.api.error.NotFound;
import dev.capstan.api.video.persistence.VideoEntity;
import dev.capstan.api.webhook.persistence.WebhookDeliveryEntity;
import dev.capstan.api.webhook.persistence.WebhookEntity;
import dev.capstan.model.api.Page;
import dev.capstan.model.api.WebhookMessages.CreateWebhookRequest;
import dev.capstan.model.api.WebhookMessages.DeliveryView;
import dev.capstan.model.api.WebhookMessages.WebhookView;
import dev.capstan.model.event.VideoEvent;
import dev.capstan.model.event.VideoEventType;
import dev.capstan.model.event.WebhookEvents;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Webhook endpoints of a user, and the capture of video events into deliveries. Events are captured
 * in the transaction of the change they announce: the API's own (a deletion, a video the retry
 * policy gave up on) straight into {@code webhook_deliveries}, the worker's into {@code
 * webhook_outbox}, which {@link #relayOutbox()} fans out on whichever instance gets there first.
 * The unique (webhook, event key) index makes exactly one delivery of an event per webhook.
 */
@ApplicationScoped
public class WebhookService {
  /** Events a webhook may subscribe to. */
  public static final Set<String> EVENTS =
      Set.of(
          VideoEventType.READY.wireName(),
          VideoEventType.FAILED.wireName(),
          VideoEventType.RENDITION_READY.wireName(),
          VideoEventType.PLAYABLE.wireName(),
          VideoEventType.DELETED.wireName());

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int OUTBOX_BATCH = 100;

  @Inject SecretBox secrets;
  @Inject WebhookTargets targets;
  @Inject ApiConfig config;
  @Inject Clock clock;

  public WebhookView create(String userId, CreateWebhookRequest request) {
    for (String e : request.events()) {
      if (!EVENTS.contains(e)) {
        throw new BadRequest("unknown_event", e + " is not one of " + EVENTS);
      }
    }
    String url = targets.check(request.url()).toString();
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = "whsec_" + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    String sealed = secrets.seal(secret);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              WebhookEntity w = new WebhookEntity();
              w.userId = userId;
              w.url = url;
              w.events = String.join(",", request.events().stream().distinct().toList());
              w.secretEncrypted = sealed;
              w.createdAt = now();
              w.persist();
              return new WebhookView(w.id, w.url, w.eventList(), secret, w.createdAt);
            });
  }

  @ToleratesLag
  public List<WebhookView> list(String userId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () ->
                WebhookEntity.ofUser(userId).stream()
                    .map(w -> new WebhookView(w.id, w.url, w.eventList(), null, w.createdAt))
                    .toList());
  }

  public void delete(String userId, String webhookId) {
    QuarkusTransaction.requiringNew().run(() -> owned(userId, webhookId).delete());
  }

  @ToleratesLag
  public Page<DeliveryView> deliveries(
      String userId, String webhookId, Integer limit, String cursor) {
    int size = Cursor.limit(limit);
    Cursor after = Cursor.parse(cursor);
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              owned(userId, webhookId);
              return Keyset.page(
                  WebhookDeliveryEntity.logPage(webhookId, after, size + 1),
                  size,
                  d -> new Cursor(d.createdAt, d.id),
                  page -> page.stream().map(WebhookService::view).toList());
            });
  }

  /** Sends a delivery again now, whatever became of it (the receiver lost it, or it gave up). */
  public DeliveryView redeliver(String userId, String webhookId, String deliveryId) {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              owned(userId, webhookId);
              WebhookDeliveryEntity d = WebhookDeliveryEntity.findById(deliveryId);
              if (d == null || !d.webhookId.equals(webhookId)) {
                throw new NotFound("delivery");
              }
              d.status = WebhookDeliveryEntity.PENDING;
              d.nextAttemptAt = now();
              d.giveUpAt = now().plus(config.webhooks().giveUpAfter());
              return view(d);
            });
  }

  /**
   * Records deliveries of {@code event} for every webhook of {@code ownerId} that wants it. Runs
   * inside the caller's transaction when there is one (a deletion captures before the row goes).
   */
  public void capture(VideoEvent event, String ownerId, Map<String, Object> video) {
    if (!EVENTS.contains(event.type())) {
      return;
    }
    String key = WebhookEvents.key(event.type(), event.videoId(), event.at());
    fanOut(ownerId, key, event.type(), WebhookEvents.payload(key, event.type(), event.at(), video));
  }

  /**
   * Turns events the worker wrote into {@code webhook_outbox} into deliveries, oldest first, and
   * removes them, in one transaction per batch. Rows another instance is relaying are skipped.
   *
   * @return how many events were relayed
   */
  @SuppressWarnings("unchecked")
  public int relayOutbox() {
    return QuarkusTransaction.requiringNew()
        .call(
            () -> {
              var em = WebhookEntity.getEntityManager();
              List<Object[]> rows =
                  em.createNativeQuery(
                          "SELECT id, user_id, event_key, event_type, payload FROM webhook_outbox"
                              + " ORDER BY id LIMIT "
                              + OUTBOX_BATCH
                              + " FOR UPDATE SKIP LOCKED")
                      .getResultList();
              if (rows.isEmpty()) {
                return 0;
              }
              for (Object[] r : rows) {
                fanOut((String) r[1], (String) r[2], (String) r[3], (String) r[4]);
              }
              em.createNativeQuery("DELETE FROM webhook_outbox WHERE id IN (?1)")
                  .setParameter(1, rows.stream().map(r -> ((Number) r[0]).longValue()).toList())
                  .executeUpdate();
              return rows.size();
            });
  }

  /** The facts of a video a webhook carries (no presigned URLs: they would expire in retries). */
  public static Map<String, Object> videoFacts(VideoEntity v) {
    return WebhookEvents.videoFacts(
        v.id, v.title, v.status, v.durationSeconds, v.width, v.height, v.errorCode, v.errorMessage);
  }

  private void fanOut(String ownerId, String key, String type, String payload) {
    Instant now = now();
    for (WebhookEntity w : WebhookEntity.ofUser(ownerId)) {
      if (!w.eventList().contains(type)) {
        continue;
      }
      WebhookEntity.getEntityManager()
          .createNativeQuery(
              "INSERT IGNORE INTO webhook_deliveries (id, webhook_id, event_key, event_type,"
                  + " payload, status, attempts, next_attempt_at, give_up_at, created_at)"
                  + " VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6, ?7, ?6)")
          .setParameter(1, UUID.randomUUID().toString())
          .setParameter(2, w.id)
          .setParameter(3, key)
          .setParameter(4, type)
          .setParameter(5, payload)
          .setParameter(6, now)
          .setParameter(7, now.plus(config.webhooks().giveUpAfter()))
          .executeUpdate();
    }
  }

  private WebhookEntity owned(String userId, String webhookId) {
    WebhookEntity w = WebhookEntity.findById(webhookId);
    if (w == null || !w.userId.equals(userId)) {
      throw new NotFound("webhook");
    }
    return w;
  }

  private static DeliveryView view(WebhookDeliveryEntity d) {
    return new DeliveryView(
        d.id,
        d.eventKey,
        d.eventType,
        d.status,
        d.attempts,
        d.lastStatusCode,
        d.lastError,
        WebhookDeliveryEntity.PENDING.equals(d.status) ? d.nextAttemptAt : null,
        d.createdAt,
        d.deliveredAt);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
